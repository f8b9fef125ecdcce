#include <string.h>
#include "wizard_start.h"

/* CLibPQ (lazy_libpq.c): loads libpq and makes OpenSSL's first context on a
   thread of its own; 0 when the thread started. */
int pgsw_libpq_load_and_warm_in_background(void);

/* The Swift runtime's (Paths.h, exported): where the runtime lives, found
   once with the loader's dladdr. Weak: a runtime without it only loses
   the head start below. */
extern const char *swift_getRootPath(void) __attribute__((weak));

#ifdef __GLIBC__
/* The first arguments of the commands that never connect. Any other command
   (and the wizard, which has none) loads libpq beside its argument parsing. A
   command left out here that does connect only loses the head start: libpq
   is loaded at its first call, as it would be anyway. */
static const char *const never_connects[] = {
    "hba", "certs", "help", "-h", "--help", "--version", "--generate-completion-script", "--experimental-dump-help",
};

/* Started before main, as soon as the C library is ready: libpq and its ~25
   libraries take longer to load than the Swift runtime takes to start and
   the arguments to be parsed, so a command that connects began by waiting
   for them (docs/DESIGN.md, "Where status spends its time"). glibc hands
   an executable's constructors the command line (another C library may
   not: there the load waits for the first call, as it always could). In
   the release build, which links the runtime in, it runs before the
   runtime's own constructors, beside them (a debug build's shared runtime
   has run its own already): glibc's loader takes its lock for the dlopen,
   and OpenSSL is told not to tear
   itself down at exit (lazy_libpq.c). Only the wizard's own executable
   links this file: the test and benchmark programs start as they always
   did. */
__attribute__((constructor(101))) static void pgsw_start_loading_libpq(int argc, char **argv, char **envp) {
    (void) envp;
    if (argc > 1 && argv[1] != 0) {
        for (size_t index = 0; index < sizeof never_connects / sizeof never_connects[0]; index++) {
            if (strcmp(argv[1], never_connects[index]) == 0) return;
        }
    }
    /* The runtime's own constructor (the crash backtracer's) looks for its
       helper next to the runtime, asking the loader where that is; the
       loader answers under the lock a dlopen holds until it ends. Asked
       here first, the answer is kept and that constructor no longer waits
       for libpq's load: it did, about 4 ms on the main thread. */
    if (swift_getRootPath != 0) (void) swift_getRootPath();
    (void) pgsw_libpq_load_and_warm_in_background();
}
#endif
