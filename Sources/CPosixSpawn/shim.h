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

/* Looking at one file or directory with the rights of another OS user (the
   server's), the way that user's own process would: a forked child drops
   to the user's ids and groups, does the one thing, writes what it found to
   `out` and exits with 0 or the errno that stopped it (strerror's words are
   what the server would quote). Forking, not exec'ing runuser, spares a
   PAM session per file; see docs/SECURITY.md, "Files".

   The child is a copy of this process, so before anything else it becomes
   undumpable (the server's user may not read its memory through ptrace or
   /proc) and closes every descriptor but `out`. After fork only system
   calls run here: raw ones for the ids (glibc's setuid would try to reach
   threads the child does not have), no malloc, no locks. Returns the
   child's pid, or -1 with errno. */
/* pipe2 with O_CLOEXEC in one step (declared only under _GNU_SOURCE): a
   child another thread spawns meanwhile must not inherit either end. */
static inline int pgsw_pipe_cloexec(int ends[2]) { return (int) syscall(SYS_pipe2, ends, O_CLOEXEC); }

enum { PGSW_AS_USER_READ = 0, PGSW_AS_USER_LIST = 1, PGSW_AS_USER_IS_REGULAR = 2 };

struct pgsw_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static inline int pgsw_write_all(int fd, const char *bytes, long count) {
    while (count > 0) {
        long written = write(fd, bytes, (size_t) count);
        if (written < 0) { if (errno == EINTR) continue; return -1; }
        bytes += written;
        count -= written;
    }
    return 0;
}

static inline void pgsw_close_all_but(int keep) {
#ifdef SYS_close_range
    if (keep > 0 && syscall(SYS_close_range, 0, (unsigned) keep - 1, 0) != 0) {
        for (int fd = 0; fd < keep; fd++) close(fd);
    }
    if (syscall(SYS_close_range, (unsigned) keep + 1, ~0U, 0) == 0) return;
#else
    for (int fd = 0; fd < keep; fd++) close(fd);
#endif
    for (int fd = keep + 1; fd < 65536; fd++) close(fd);
}

static inline int pgsw_fork_as_user(int operation, const char *path, uid_t uid, gid_t gid,
                                    const gid_t *groups, int group_count, int out) {
    pid_t pid = fork();
    if (pid != 0) return pid;
    /* The child. */
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, 0);
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) _exit(EPERM);
    pgsw_close_all_but(out);
    if (syscall(SYS_setgroups, (long) group_count, groups) != 0) _exit(EPERM);
    if (syscall(SYS_setresgid, (long) gid, (long) gid, (long) gid) != 0) _exit(EPERM);
    if (syscall(SYS_setresuid, (long) uid, (long) uid, (long) uid) != 0) _exit(EPERM);
    if (uid != 0 && (geteuid() == 0 || getuid() == 0)) _exit(EPERM);
    if (operation == PGSW_AS_USER_IS_REGULAR) {
        struct stat info;
        if (stat(path, &info) != 0) _exit(errno);
        _exit(S_ISREG(info.st_mode) ? 0 : EINVAL);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | (operation == PGSW_AS_USER_LIST ? O_DIRECTORY : 0));
    if (fd < 0) _exit(errno);
    char buffer[65536];
    for (;;) {
        long count = operation == PGSW_AS_USER_LIST ? syscall(SYS_getdents64, fd, buffer, sizeof buffer)
                                                    : read(fd, buffer, sizeof buffer);
        if (count < 0) { if (errno == EINTR) continue; _exit(errno); }
        if (count == 0) _exit(0);
        if (operation == PGSW_AS_USER_READ) {
            if (pgsw_write_all(out, buffer, count) != 0) _exit(EPIPE);
            continue;
        }
        for (long at = 0; at < count;) {
            struct pgsw_dirent64 *entry = (struct pgsw_dirent64 *) (buffer + at);
            at += entry->d_reclen;
            const char *name = entry->d_name;
            if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
            if (pgsw_write_all(out, name, (long) strlen(name) + 1) != 0) _exit(EPIPE);
        }
    }
}
#endif
