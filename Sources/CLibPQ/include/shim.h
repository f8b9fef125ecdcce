#ifndef PGSW_CLIBPQ_SHIM_H
#define PGSW_CLIBPQ_SHIM_H
/* The Debian header lives under postgresql/; the plain name is not found
   when SwiftPM drops pkg-config's include flags.
   libpq, and the libssl it uses, are loaded on the first call into them
   (lazy_libpq.c): a command that never connects does not load them. */
#include <postgresql/libpq-fe.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/crypto.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Loads libpq now (lazy_libpq.c), then makes and frees OpenSSL's first
   client context, so that the first handshake finds OpenSSL initialised: for
   a caller that knows it will connect and has a spare core. A library that
   cannot be loaded is left to the first real call to report. */
void pgsw_libpq_load_and_warm(void);

/* PG_DIAG_* are character-literal macros, which Swift does not import. */
static inline int pgsw_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int pgsw_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int pgsw_diag_message_detail(void) { return PG_DIAG_MESSAGE_DETAIL; }
static inline int pgsw_diag_message_hint(void) { return PG_DIAG_MESSAGE_HINT; }
static inline int pgsw_diag_severity_text(void) { return PG_DIAG_SEVERITY_NONLOCALIZED; }

/* The certificate the server presented in this connection's TLS handshake,
   DER-encoded into a buffer the caller releases with pgsw_free. libpq has no
   accessor for it; PQsslStruct hands out the OpenSSL session. Returns the
   length, or -1 when the connection has no TLS or no peer certificate. */
static inline int pgsw_peer_certificate_der(PGconn *conn, unsigned char **out) {
    SSL *ssl = (SSL *) PQsslStruct(conn, "OpenSSL");
    if (ssl == 0) return -1;
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (cert == 0) return -1;
    *out = 0;
    int len = i2d_X509(cert, out);
    X509_free(cert);
    return len;
}
static inline void pgsw_free(void *p) { OPENSSL_free(p); }

/* Whether libpq holds a TLS session whose handshake finished. libpq frees the
   session when the handshake or its certificate or name check fails, and
   checks the name as soon as the handshake finishes; but connect_timeout can
   stop it in the middle of the handshake with the session still allocated
   and PQsslInUse still 1 (libpq 13-15). A finished handshake is the proof. */
static inline int pgsw_tls_handshake_finished(PGconn *conn) {
    SSL *ssl = (SSL *) PQsslStruct(conn, "OpenSSL");
    return ssl != 0 && SSL_is_init_finished(ssl) == 1;
}

/* PostgreSQL's STARTTLS with no login, in process: a TCP connection to a
   numeric address, the SSLRequest, the server's 'S', then a TLS handshake on
   the same socket. The served certificate goes DER-encoded into a buffer the
   caller releases with pgsw_free, the negotiated protocol's name into
   `version`. Nothing is verified here: the caller compares the certificate's
   fingerprint with the one it expects. Returns the DER length, or -1 with
   `error` filled (-2 when the server answered the SSLRequest with 'N': it
   refuses TLS, which is an answer, not a failure to get one).
   The handshake asks for TLS 1.2 at least, libpq's own default
   (ssl_min_protocol_version), so that it succeeds where a client's would.
   The peer may be hostile (anyone who holds the port), so: one deadline for
   the whole exchange, however slowly the peer trickles bytes; the socket
   stays non-blocking and every wait is a poll() with the time left, retried
   on EINTR; SIGPIPE is blocked on this thread while OpenSSL writes (its
   socket BIO uses plain write()) and a SIGPIPE raised meanwhile is
   discarded, as libpq does; no name is resolved (no DNS wait). */
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

static inline int pgsw_starttls_exchange(const char *host, int port, int timeout_ms, unsigned char **out,
                                         char *version, int version_size, const char **error) {
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec += 1; deadline.tv_nsec -= 1000000000L; }

    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints, *found = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(host, service, &hints, &found) != 0 || found == 0) { *error = "not a numeric address"; return -1; }
    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) { freeaddrinfo(found); *error = "cannot create a socket"; return -1; }
    int connected = connect(fd, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    if (connected != 0) {
        if (errno != EINPROGRESS && errno != EINTR) { close(fd); *error = "connection refused"; return -1; }
        if (pgsw_starttls_wait(fd, POLLOUT, &deadline) != 1) { close(fd); *error = "no connection within the timeout"; return -1; }
        int problem = 0;
        socklen_t size = sizeof problem;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &size) != 0 || problem != 0) { close(fd); *error = "connection refused"; return -1; }
    }
    /* SSLRequest: length 8, then the code 1234 5679 (80877103), both big-endian. */
    const unsigned char request[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
    if (pgsw_starttls_wait(fd, POLLOUT, &deadline) != 1
        || send(fd, request, sizeof request, MSG_NOSIGNAL) != (ssize_t) sizeof request) { close(fd); *error = "cannot send the SSLRequest"; return -1; }
    unsigned char answer = 0;
    for (;;) {
        if (pgsw_starttls_wait(fd, POLLIN, &deadline) != 1) { close(fd); *error = "no answer to the SSLRequest within the timeout"; return -1; }
        ssize_t got = recv(fd, &answer, 1, 0);
        if (got == 1) break;
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        close(fd); *error = "the connection closed before an answer to the SSLRequest"; return -1;
    }
    if (answer == 'N') { close(fd); *error = "the server does not offer SSL (it answered N)"; return -2; }
    if (answer != 'S') { close(fd); *error = "not a PostgreSQL answer to the SSLRequest"; return -1; }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == 0) { close(fd); *error = "OpenSSL cannot make a client context"; return -1; }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, 0);
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
        SSL_CTX_free(ctx); close(fd); *error = "OpenSSL cannot ask for TLS 1.2 at least"; return -1;
    }
    SSL *ssl = SSL_new(ctx);
    if (ssl == 0 || SSL_set_fd(ssl, fd) != 1) {
        if (ssl != 0) SSL_free(ssl);
        SSL_CTX_free(ctx); close(fd); *error = "OpenSSL cannot use the socket"; return -1;
    }
    int length = -1;
    for (;;) {
        int done = SSL_connect(ssl);
        if (done == 1) break;
        int why = SSL_get_error(ssl, done);
        int ready = why == SSL_ERROR_WANT_READ ? pgsw_starttls_wait(fd, POLLIN, &deadline)
            : why == SSL_ERROR_WANT_WRITE ? pgsw_starttls_wait(fd, POLLOUT, &deadline) : -1;
        if (ready != 1) { *error = ready == 0 ? "no TLS handshake within the timeout" : "the TLS handshake failed"; goto finish; }
    }
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (cert == 0) { *error = "the server presented no certificate"; goto finish; }
    *out = 0;
    length = i2d_X509(cert, out);
    X509_free(cert);
    if (length <= 0) { length = -1; *error = "cannot encode the certificate"; goto finish; }
    snprintf(version, (size_t) version_size, "%s", SSL_get_version(ssl));
    /* One close_notify, without waiting for the peer's (the socket is non-blocking). */
    SSL_shutdown(ssl);
finish:
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    return length;
}

static inline int pgsw_starttls_peer_der(const char *host, int port, int timeout_ms, unsigned char **out,
                                         char *version, int version_size, char *error, int error_size) {
    sigset_t pipe_only, previous, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &previous);
    sigpending(&pending);
    int was_pending = sigismember(&pending, SIGPIPE);
    const char *why = "";
    int length = pgsw_starttls_exchange(host, port, timeout_ms, out, version, version_size, &why);
    sigpending(&pending);
    if (!was_pending && sigismember(&pending, SIGPIPE) && !sigismember(&previous, SIGPIPE)) {
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_only, 0, &zero) < 0 && errno == EINTR) {}
    }
    pthread_sigmask(SIG_SETMASK, &previous, 0);
    if (length < 0) snprintf(error, (size_t) error_size, "%s", why);
    return length;
}
#endif
