#ifndef PGSW_CPOSIXSPAWN_SHIM_H
#define PGSW_CPOSIXSPAWN_SHIM_H
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc (2.34+) has a closefrom file action but declares it only under
   _GNU_SOURCE; defining that here would give system types a second,
   different definition in this module, so the prototype is declared. The
   child must not inherit our other descriptors: a daemon (the postmaster
   that pg_ctl starts) would keep them open for its whole life. */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int lowest);

static inline int pgsw_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

/* POSIX_SPAWN_SETSID (glibc 2.26+) is also declared only under _GNU_SOURCE:
   the child starts a session of its own, without a controlling terminal, so
   the terminal's hangup never reaches it (the revert watchdog). */
static inline short pgsw_spawn_setsid_flag(void) { return 0x80; }

/* pidfd_open (Linux 5.3+): a descriptor that becomes readable when the
   child exits, so waiting for it is one poll() with a deadline instead of
   sleeps. glibc has no wrapper before 2.36, hence the raw system call; -1
   where the kernel lacks it. */
static inline int pgsw_pidfd_open(int pid) {
#ifdef SYS_pidfd_open
    return (int) syscall(SYS_pidfd_open, pid, 0);
#else
    (void) pid;
    return -1;
#endif
}
#endif
