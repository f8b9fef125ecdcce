#ifndef PGSW_CLIBPQ_STARTTLS_H
#define PGSW_CLIBPQ_STARTTLS_H
/* PostgreSQL's STARTTLS in process, with no credentials: a TCP connection to
   a numeric address, the SSLRequest, the server's 'S', then a TLS handshake on
   the same socket. The caller reads the served certificate and, if it is the
   one it expects, may send a startup packet (user and database, nothing
   secret) and read the first byte of the answer. Nothing is verified here.

   The handshake asks for TLS 1.2 at least, libpq's own default
   (ssl_min_protocol_version), so that it succeeds where a client's would.
   The peer may be hostile (anyone who holds the port), so: one deadline for
   the whole exchange, however slowly the peer trickles bytes; the socket
   stays non-blocking and every wait is a poll() with the time left, retried
   on EINTR; SIGPIPE is blocked on this thread while OpenSSL writes (its
   socket BIO uses plain write()) and a SIGPIPE raised meanwhile is
   discarded, as libpq does; no name is resolved (no DNS wait).
   Included by shim.h, after OpenSSL's and the system's headers it needs. */

#include <netinet/in.h>
#include <netinet/tcp.h>

typedef struct pgsw_starttls {
    int fd;
    SSL_CTX *ctx;
    SSL *ssl;
    struct timespec deadline;
    /* OpenSSL reported a fatal error: no close_notify may follow. */
    int failed;
    /* ClientHello messages this side sent: 2 when the server answered the
       first with a HelloRetryRequest (it wanted a key share for another group). */
    int client_hellos;
} pgsw_starttls;

/* Counts the ClientHellos the handshake on this thread writes (OpenSSL calls
   it for every protocol message). A thread-local, not a pointer into the
   session: the session may move between calls (Swift holds it), and the
   count is read on the thread that ran the handshake, as soon as it ends.
   Defined in lazy_libpq.c: a static in this header would have no storage in
   the Swift module that imports it. */
extern __thread int pgsw_starttls_hellos_written;
static inline void pgsw_starttls_count_hellos(int write_p, int version, int content_type, const void *buf, size_t len,
                                              SSL *ssl, void *arg) {
    (void) version; (void) ssl; (void) arg;
    if (write_p && content_type == SSL3_RT_HANDSHAKE && len > 0 && ((const unsigned char *) buf)[0] == SSL3_MT_CLIENT_HELLO)
        pgsw_starttls_hellos_written += 1;
}

/* The TLS groups (IANA numbers) a ClientHello that `ctx` makes offers, in
   order, read off one made into memory and thrown away: OpenSSL has no call
   that returns a client's configured list, which the host's configuration
   (openssl.cnf's Groups, a crypto policy) may have set. The count, or -1
   when there is none to read. */
static inline int pgsw_starttls_offered_groups(SSL_CTX *ctx, unsigned int *groups, int capacity) {
    SSL *probe = SSL_new(ctx);
    if (probe == 0) { ERR_clear_error(); return -1; }
    BIO *in = BIO_new(BIO_s_mem()), *out = BIO_new(BIO_s_mem());
    if (in == 0 || out == 0) {
        if (in != 0) BIO_free(in);
        if (out != 0) BIO_free(out);
        SSL_free(probe);
        ERR_clear_error();
        return -1;
    }
    SSL_set_bio(probe, in, out); /* the SSL owns both from here */
    SSL_set_connect_state(probe);
    (void) SSL_do_handshake(probe); /* writes the ClientHello, then wants the server's answer */
    char *hello = 0;
    long length = BIO_get_mem_data(out, &hello);
    const unsigned char *bytes = (const unsigned char *) hello;
    size_t size = hello != 0 && length > 0 ? (size_t) length : 0, at = 0;
    int count = -1;
    /* record header (5), handshake header (4), version (2), random (32); each
       length below is checked against what is left before it is used */
#define PGSW_LEFT (at < size ? size - at : 0)
    /* One record holding the whole ClientHello, or nothing is read. */
    if (size > 43 && bytes[0] == SSL3_RT_HANDSHAKE && bytes[5] == SSL3_MT_CLIENT_HELLO
        && 5 + (size_t) (bytes[3] << 8 | bytes[4]) <= size
        && 4 + ((size_t) bytes[6] << 16 | (size_t) bytes[7] << 8 | bytes[8]) <= (size_t) (bytes[3] << 8 | bytes[4])) {
        size = 9 + ((size_t) bytes[6] << 16 | (size_t) bytes[7] << 8 | bytes[8]);
        at = 43;
        if (PGSW_LEFT >= 1) at += 1 + (size_t) bytes[at];                                   /* session id */
        if (PGSW_LEFT >= 2) at += 2 + (size_t) (bytes[at] << 8 | bytes[at + 1]); else at = size; /* cipher suites */
        if (PGSW_LEFT >= 1) at += 1 + (size_t) bytes[at]; else at = size;                   /* compression methods */
        if (PGSW_LEFT >= 2) {
            size_t extensions_end = at + 2 + (size_t) (bytes[at] << 8 | bytes[at + 1]);
            if (extensions_end > size) extensions_end = size;
            at += 2;
            while (at + 4 <= extensions_end) {
                unsigned int type = (unsigned int) (bytes[at] << 8 | bytes[at + 1]);
                size_t extension = (size_t) (bytes[at + 2] << 8 | bytes[at + 3]);
                at += 4;
                if (extensions_end - at < extension) break;
                if (type == 10 && extension >= 2) { /* supported_groups */
                    size_t octets = (size_t) (bytes[at] << 8 | bytes[at + 1]), listed = octets / 2;
                    if (octets % 2 == 0 && 2 + octets <= extension && listed <= (size_t) capacity) {
                        for (size_t i = 0; i < listed; i++) groups[i] = (unsigned int) (bytes[at + 2 + 2 * i] << 8 | bytes[at + 3 + 2 * i]);
                        count = (int) listed;
                    }
                    break;
                }
                at += extension;
            }
        }
    }
#undef PGSW_LEFT
    SSL_free(probe);
    ERR_clear_error();
    return count;
}

/* OpenSSL's name for a TLS group, for those a PostgreSQL server may be set to
   and OpenSSL offers by default; NULL for any other. */
static inline const char *pgsw_starttls_group_name(unsigned int group) {
    switch (group) {
    case 0x0017: return "P-256";
    case 0x0018: return "P-384";
    case 0x0019: return "P-521";
    case 0x001d: return "X25519";
    case 0x001e: return "X448";
    case 0x0100: return "ffdhe2048";
    case 0x0101: return "ffdhe3072";
    case 0x0102: return "ffdhe4096";
    case 0x0103: return "ffdhe6144";
    case 0x0104: return "ffdhe8192";
    default: return 0;
    }
}

/* Moves `first` (an IANA group number) to the front of the groups `ctx`
   offers, so that its one key share is for the server's group: the same
   groups, in another order. Where the list does not offer it, already starts
   with it, or holds a group named nowhere above (a newer OpenSSL's hybrid
   groups), nothing changes: a HelloRetryRequest costs a round trip, never
   the handshake. */
static inline void pgsw_starttls_offer_first(SSL_CTX *ctx, unsigned int first) {
    unsigned int groups[32];
    int count = pgsw_starttls_offered_groups(ctx, groups, 32);
    if (count < 2 || groups[0] == first) return;
    int found = 0;
    char list[32 * 12] = "";
    size_t used = 0;
    for (int i = 0; i < count; i++) {
        if (pgsw_starttls_group_name(groups[i]) == 0) return;
        if (groups[i] == first) found = 1;
    }
    if (!found) return;
    used += (size_t) snprintf(list, sizeof list, "%s", pgsw_starttls_group_name(first));
    for (int i = 0; i < count && used < sizeof list; i++) {
        if (groups[i] == first) continue;
        used += (size_t) snprintf(list + used, sizeof list - used, ":%s", pgsw_starttls_group_name(groups[i]));
    }
    if (used >= sizeof list || SSL_CTX_set1_groups_list(ctx, list) != 1) ERR_clear_error();
}

static inline long pgsw_starttls_ms_left(const struct timespec *deadline) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long left = (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return left > 0 ? left : 0;
}

/* 1 when `events` is ready within the deadline, 0 on timeout, -1 on error. */
static inline int pgsw_starttls_wait(int fd, short events, const struct timespec *deadline) {
    for (;;) {
        long left = pgsw_starttls_ms_left(deadline);
        if (left == 0) return 0;
        struct pollfd entry = { fd, events, 0 };
        int ready = poll(&entry, 1, (int) left);
        if (ready > 0) return 1;
        if (ready == 0) return 0;
        if (errno != EINTR) return -1;
    }
}

/* Waits for what OpenSSL asked for after a call returned `result`: 1 ready,
   0 timeout, -1 anything else (a closed connection, a protocol error). */
/* SSL_get_error reads the thread's OpenSSL error queue, and OpenSSL asks that
   it be empty before each TLS call (SSL_get_error(3)): another TLS user on
   this thread may have left an entry, which would turn a WANT_READ into a
   failure. Each call below starts with ERR_clear_error. (libpq 15.18 left
   none after a failed verify-ca handshake, when tried; this does not rely on it.) */
static inline int pgsw_starttls_wait_for_openssl(pgsw_starttls *session, int result) {
    int why = SSL_get_error(session->ssl, result);
    if (why == SSL_ERROR_WANT_READ) return pgsw_starttls_wait(session->fd, POLLIN, &session->deadline);
    if (why == SSL_ERROR_WANT_WRITE) return pgsw_starttls_wait(session->fd, POLLOUT, &session->deadline);
    if (why == SSL_ERROR_SSL || why == SSL_ERROR_SYSCALL) session->failed = 1;
    return -1;
}

typedef struct pgsw_sigpipe_guard {
    sigset_t previous;
    int was_pending;
} pgsw_sigpipe_guard;

static inline void pgsw_sigpipe_block(pgsw_sigpipe_guard *guard) {
    sigset_t pipe_only, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &guard->previous);
    sigpending(&pending);
    guard->was_pending = sigismember(&pending, SIGPIPE);
}

static inline void pgsw_sigpipe_restore(pgsw_sigpipe_guard *guard) {
    sigset_t pipe_only, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    if (!guard->was_pending && sigismember(&pending, SIGPIPE) && !sigismember(&guard->previous, SIGPIPE)) {
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_only, 0, &zero) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &guard->previous, 0);
}

static inline void pgsw_starttls_close_quietly(pgsw_starttls *session) {
    if (session->ssl != 0) SSL_free(session->ssl);
    if (session->ctx != 0) SSL_CTX_free(session->ctx);
    if (session->fd >= 0) close(session->fd);
    session->ssl = 0;
    session->ctx = 0;
    session->fd = -1;
}

static inline int pgsw_starttls_open_blocked(const char *host, int port, unsigned int first_group, pgsw_starttls *session,
                                             const char **error) {
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints, *found = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(host, service, &hints, &found) != 0 || found == 0) { *error = "not a numeric address"; return -1; }
    session->fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (session->fd < 0) { freeaddrinfo(found); *error = "cannot create a socket"; return -1; }
    /* As libpq does: the handshake's last flight and the startup packet are two
       small writes in a row, and Nagle would hold the second until the server's
       delayed ACK of the first, about 40 ms later (observed: the dead-man
       check's TCP attempt took 45 ms longer than libpq's). */
    int one = 1;
    (void) setsockopt(session->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int connected = connect(session->fd, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    if (connected != 0) {
        if (errno != EINPROGRESS && errno != EINTR) { *error = "connection refused"; return -1; }
        if (pgsw_starttls_wait(session->fd, POLLOUT, &session->deadline) != 1) { *error = "no connection within the timeout"; return -1; }
        int problem = 0;
        socklen_t size = sizeof problem;
        if (getsockopt(session->fd, SOL_SOCKET, SO_ERROR, &problem, &size) != 0 || problem != 0) { *error = "connection refused"; return -1; }
    }
    /* SSLRequest: length 8, then the code 1234 5679 (80877103), both big-endian. */
    const unsigned char request[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
    if (pgsw_starttls_wait(session->fd, POLLOUT, &session->deadline) != 1
        || send(session->fd, request, sizeof request, MSG_NOSIGNAL) != (ssize_t) sizeof request) { *error = "cannot send the SSLRequest"; return -1; }
    /* Made while the server forks the backend that answers (about a millisecond
       on a small machine), not after: the context, its groups and the SSL object
       cost about 0.6 ms of CPU that the answer no longer waits behind. Freed
       unused when the server answers N. A failure of OpenSSL's is told only
       after an S: a server that answers N refuses TLS whatever this host's
       OpenSSL can do, as before. */
    const char *context_failure = 0;
    session->ctx = SSL_CTX_new(TLS_client_method());
    if (session->ctx == 0) {
        context_failure = "OpenSSL cannot make a client context";
    } else if (SSL_CTX_set_min_proto_version(session->ctx, TLS1_2_VERSION) != 1) {
        context_failure = "OpenSSL cannot ask for TLS 1.2 at least";
    } else {
        SSL_CTX_set_verify(session->ctx, SSL_VERIFY_NONE, 0);
        /* The server's own group first, among those this host offers (KeyShareGroup). */
        if (first_group != 0) pgsw_starttls_offer_first(session->ctx, first_group);
        SSL_CTX_set_msg_callback(session->ctx, pgsw_starttls_count_hellos);
        pgsw_starttls_hellos_written = 0;
        session->ssl = SSL_new(session->ctx);
        if (session->ssl == 0 || SSL_set_fd(session->ssl, session->fd) != 1) context_failure = "OpenSSL cannot use the socket";
    }
    unsigned char answer = 0;
    for (;;) {
        if (pgsw_starttls_wait(session->fd, POLLIN, &session->deadline) != 1) { *error = "no answer to the SSLRequest within the timeout"; return -1; }
        ssize_t got = recv(session->fd, &answer, 1, 0);
        if (got == 1) break;
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        *error = "the connection closed before an answer to the SSLRequest"; return -1;
    }
    if (answer == 'N') { *error = "the server does not offer SSL (it answered N)"; return -2; }
    if (answer != 'S') { *error = "not a PostgreSQL answer to the SSLRequest"; return -1; }
    if (context_failure != 0) { *error = context_failure; return -1; }
    for (;;) {
        ERR_clear_error();
        int done = SSL_connect(session->ssl);
        session->client_hellos = pgsw_starttls_hellos_written;
        if (done == 1) return 0;
        int ready = pgsw_starttls_wait_for_openssl(session, done);
        if (ready != 1) { *error = ready == 0 ? "no TLS handshake within the timeout" : "the TLS handshake failed"; return -1; }
    }
}

/* Connects and finishes the handshake within `timeout_ms`, which bounds every
   later call on the session too. 0 with the session open; -1 with `error`
   filled and nothing open; -2 when the server answered the SSLRequest with
   'N' (it refuses TLS, which is an answer, not a failure to get one).
   `first_group`: the IANA number of a group to offer first, or 0. */
static inline int pgsw_starttls_open(const char *host, int port, int timeout_ms, unsigned int first_group, pgsw_starttls *session,
                                     char *error, int error_size) {
    session->fd = -1;
    session->ctx = 0;
    session->ssl = 0;
    session->failed = 0;
    session->client_hellos = 0;
    clock_gettime(CLOCK_MONOTONIC, &session->deadline);
    session->deadline.tv_sec += timeout_ms / 1000;
    session->deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (session->deadline.tv_nsec >= 1000000000L) { session->deadline.tv_sec += 1; session->deadline.tv_nsec -= 1000000000L; }
    pgsw_sigpipe_guard guard;
    pgsw_sigpipe_block(&guard);
    const char *why = "";
    int result = pgsw_starttls_open_blocked(host, port, first_group, session, &why);
    if (result != 0) pgsw_starttls_close_quietly(session);
    pgsw_sigpipe_restore(&guard);
    if (result != 0) snprintf(error, (size_t) error_size, "%s", why);
    return result;
}

/* The served certificate, DER-encoded into a buffer the caller releases with
   pgsw_free, and the negotiated protocol's name. The DER length, or -1. */
static inline int pgsw_starttls_peer(pgsw_starttls *session, unsigned char **out, char *version, int version_size) {
    X509 *cert = SSL_get1_peer_certificate(session->ssl);
    if (cert == 0) return -1;
    *out = 0;
    int length = i2d_X509(cert, out);
    X509_free(cert);
    if (length <= 0) return -1;
    snprintf(version, (size_t) version_size, "%s", SSL_get_version(session->ssl));
    return length;
}

/* Sends `message` (a startup packet) over the session's TLS and returns the
   first byte the server answers with ('R': it asks the client to
   authenticate; 'E': it refuses), or -1 with `error` filled. No credentials
   are ever sent: the session ends here. After an 'R' that means a session
   (trust), the close_notify that pgsw_starttls_close sends ends it as a
   clean end of input: the server logs nothing (DeadManPeerTests). */
static inline int pgsw_starttls_first_answer(pgsw_starttls *session, const unsigned char *message, int length,
                                             char *error, int error_size) {
    pgsw_sigpipe_guard guard;
    pgsw_sigpipe_block(&guard);
    const char *why = 0;
    int answer = -1;
    int written = 0;
    while (written < length && why == 0) {
        ERR_clear_error();
        int sent = SSL_write(session->ssl, message + written, length - written);
        if (sent > 0) { written += sent; continue; }
        int ready = pgsw_starttls_wait_for_openssl(session, sent);
        if (ready != 1) why = ready == 0 ? "the startup packet could not be sent within the timeout" : "the connection failed while sending the startup packet";
    }
    while (why == 0) {
        unsigned char first = 0;
        ERR_clear_error();
        int got = SSL_read(session->ssl, &first, 1);
        if (got == 1) { answer = first; break; }
        int ready = pgsw_starttls_wait_for_openssl(session, got);
        if (ready != 1) why = ready == 0 ? "no answer to the startup packet within the timeout" : "the connection closed without an answer to the startup packet";
    }
    pgsw_sigpipe_restore(&guard);
    if (answer < 0) snprintf(error, (size_t) error_size, "%s", why);
    return answer;
}

/* One close_notify, without waiting for the peer's (the socket is
   non-blocking), then everything is freed. */
static inline void pgsw_starttls_close(pgsw_starttls *session) {
    pgsw_sigpipe_guard guard;
    pgsw_sigpipe_block(&guard);
    ERR_clear_error();
    if (session->ssl != 0 && !session->failed) SSL_shutdown(session->ssl);
    pgsw_starttls_close_quietly(session);
    ERR_clear_error();
    pgsw_sigpipe_restore(&guard);
}

#endif
