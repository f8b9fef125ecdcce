#ifndef PGSW_CLIBPQ_SHIM_H
#define PGSW_CLIBPQ_SHIM_H
/* The Debian header lives under postgresql/; the plain name is not found
   when SwiftPM drops pkg-config's include flags. */
#include <postgresql/libpq-fe.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/crypto.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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

/* PostgreSQL's STARTTLS with no login, in process: a TCP connection, the
   SSLRequest, the server's 'S', then a TLS handshake on the same socket.
   The served certificate goes DER-encoded into a buffer the caller releases
   with pgsw_free, the negotiated protocol's name into `version`. Nothing is
   verified here: the caller compares the certificate's fingerprint with the
   one it expects. Returns the DER length, or -1 with `error` filled. Every
   step is bounded by `timeout_ms`. */
static inline int pgsw_starttls_fail(char *error, int error_size, const char *what, int fd, SSL *ssl, SSL_CTX *ctx) {
    snprintf(error, (size_t) error_size, "%s", what);
    if (ssl != 0) SSL_free(ssl);
    if (ctx != 0) SSL_CTX_free(ctx);
    if (fd >= 0) close(fd);
    return -1;
}

static inline int pgsw_starttls_peer_der(const char *host, int port, int timeout_ms, unsigned char **out,
                                         char *version, int version_size, char *error, int error_size) {
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    struct addrinfo hints, *found = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    if (getaddrinfo(host, service, &hints, &found) != 0 || found == 0) return pgsw_starttls_fail(error, error_size, "cannot resolve the address", -1, 0, 0);
    int fd = socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) { freeaddrinfo(found); return pgsw_starttls_fail(error, error_size, "cannot create a socket", -1, 0, 0); }
    int connected = connect(fd, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    if (connected != 0) {
        if (errno != EINPROGRESS) return pgsw_starttls_fail(error, error_size, "connection refused", fd, 0, 0);
        struct pollfd writable = { fd, POLLOUT, 0 };
        if (poll(&writable, 1, timeout_ms) != 1) return pgsw_starttls_fail(error, error_size, "no connection within the timeout", fd, 0, 0);
        int problem = 0;
        socklen_t size = sizeof problem;
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &problem, &size) != 0 || problem != 0) return pgsw_starttls_fail(error, error_size, "connection refused", fd, 0, 0);
    }
    /* Blocking from here on, each read and write bounded. */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    struct timeval bound = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &bound, sizeof bound);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &bound, sizeof bound);
    /* SSLRequest: length 8, then the code 1234 5679 (80877103), both big-endian. */
    const unsigned char request[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
    if (send(fd, request, sizeof request, MSG_NOSIGNAL) != (ssize_t) sizeof request) return pgsw_starttls_fail(error, error_size, "cannot send the SSLRequest", fd, 0, 0);
    unsigned char answer = 0;
    if (recv(fd, &answer, 1, 0) != 1) return pgsw_starttls_fail(error, error_size, "no answer to the SSLRequest", fd, 0, 0);
    if (answer != 'S') return pgsw_starttls_fail(error, error_size, answer == 'N' ? "the server does not offer SSL (it answered N)" : "not a PostgreSQL answer to the SSLRequest", fd, 0, 0);
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (ctx == 0) return pgsw_starttls_fail(error, error_size, "OpenSSL cannot make a client context", fd, 0, 0);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, 0);
    SSL *ssl = SSL_new(ctx);
    if (ssl == 0 || SSL_set_fd(ssl, fd) != 1) return pgsw_starttls_fail(error, error_size, "OpenSSL cannot use the socket", fd, ssl, ctx);
    if (SSL_connect(ssl) != 1) return pgsw_starttls_fail(error, error_size, "the TLS handshake failed", fd, ssl, ctx);
    X509 *cert = SSL_get1_peer_certificate(ssl);
    if (cert == 0) return pgsw_starttls_fail(error, error_size, "the server presented no certificate", fd, ssl, ctx);
    *out = 0;
    int length = i2d_X509(cert, out);
    X509_free(cert);
    snprintf(version, (size_t) version_size, "%s", SSL_get_version(ssl));
    /* close_notify: the server sees the probe end cleanly before any startup packet. */
    SSL_shutdown(ssl);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    if (length <= 0) return pgsw_starttls_fail(error, error_size, "cannot encode the certificate", -1, 0, 0);
    return length;
}

#endif
