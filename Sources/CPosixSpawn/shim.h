#ifndef PGSW_CPOSIXSPAWN_SHIM_H
#define PGSW_CPOSIXSPAWN_SHIM_H
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
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

/* pipe2 with O_CLOEXEC in one step (declared only under _GNU_SOURCE): a
   child another thread spawns meanwhile must not inherit either end. */
static inline int pgsw_pipe_cloexec(int ends[2]) { return (int) syscall(SYS_pipe2, ends, O_CLOEXEC); }

/* Running a program with the rights of another OS user (the server's),
   the way that user's own process would: a forked child leaves the
   wizard's session and terminal (setsid: a planted `include /dev/tty`
   gets ENXIO, as the server's daemon would), keeps only `out` and `err`
   as its standard output and error, drops to the user's supplementary
   groups, gid and uid (raw system calls: glibc's would try to reach
   threads the child does not have), clears its ambient capabilities and
   then replaces itself with `program` with an empty environment. The exec
   is the point: until then the child is a copy of the wizard, and after it
   nothing of the wizard's memory, environment (`/proc/self/environ` read
   as a file) or descriptors is left for that user to reach; no PAM session
   is opened, which is what made `runuser` cost ~20 ms a file. See
   docs/SECURITY.md, "Files".

   Only system calls run between fork and exec. Exit codes of the child's
   own: 125 when it could not become the user, 127 when the exec failed.
   Returns the child's pid, or -1 with errno. */
static inline int pgsw_spawn_as_user(const char *program, char *const argv[], uid_t uid, gid_t gid,
                                     const gid_t *groups, int group_count, int out, int err) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    /* The child. */
    char *const empty[] = { 0 };
    sigset_t none;
    sigemptyset(&none);
    if (setsid() < 0) _exit(125);
    if (dup2(out, 1) < 0 || dup2(err, 2) < 0) _exit(125);
    close(0);
#ifdef SYS_close_range
    if (syscall(SYS_close_range, 3U, ~0U, 0) != 0)
#endif
    for (int fd = 3; fd < 65536; fd++) close(fd);
    if (geteuid() == 0 && uid != 0) {
        if (syscall(SYS_setgroups, (long) group_count, groups) != 0) _exit(125);
        if (syscall(SYS_setresgid, (long) gid, (long) gid, (long) gid) != 0) _exit(125);
        if (syscall(SYS_setresuid, (long) uid, (long) uid, (long) uid) != 0) _exit(125);
        if (geteuid() == 0 || getuid() == 0 || getegid() != gid) _exit(125);
    }
    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
    sigprocmask(SIG_SETMASK, &none, 0);
    execve(program, argv, empty);
    _exit(127);
}
#endif
