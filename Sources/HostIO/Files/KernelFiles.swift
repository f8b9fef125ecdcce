import Foundation

/// The file systems whose files are the kernel's: they report sizes of 0 or
/// 4096 whatever they hold, and some give up what they hold to whoever
/// reads (`/proc/kmsg`, a tracing pipe) or act when read. Known by the
/// device of each mount point where they usually are (the Swift Glibc
/// module has no `statfs` to ask a file's file system directly).
public enum KernelFiles {
    static let mountPoints = ["/proc", "/sys", "/sys/kernel/debug", "/sys/kernel/tracing", "/sys/kernel/security",
                              "/sys/kernel/config", "/sys/fs/cgroup", "/sys/fs/bpf", "/sys/fs/pstore", "/sys/firmware/efi/efivars"]

    static let devices: Set<dev_t> = Set(mountPoints.compactMap { path in
        var info = stat()
        return stat(path, &info) == 0 ? info.st_dev : nil
    })

    /// Whether a file (its `fstat`) lies on one of them.
    public static func contains(_ info: stat) -> Bool { devices.contains(info.st_dev) }
}
