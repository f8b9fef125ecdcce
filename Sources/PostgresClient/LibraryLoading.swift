import CLibPQ

/// libpq is loaded at the first call into it (Sources/CLibPQ/lazy_libpq.c):
/// mapping it and its ~25 libraries takes a few milliseconds, which a
/// command that is going to connect can spend on another core while its
/// arguments are parsed; OpenSSL's first context (about 3 ms) is made there
/// too, before the first handshake needs one.
public enum LibraryLoading {
    /// A thread that cannot start costs nothing but the head start: the
    /// first call into libpq loads it then.
    public static func loadLibpqInBackground() {
        _ = pgsw_libpq_load_and_warm_in_background()
    }
}
