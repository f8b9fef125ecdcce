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
#include <openssl/err.h>
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

/* The same on a detached thread of its own, started here: a plain pthread,
   without Foundation's thread setup (uprobes on status, main to dlopen:
   1.2-4.2 ms with a Foundation Thread, 0.4-3.5 ms with this; the rest is
   the scheduler's). 0 when the thread started. */
int pgsw_libpq_load_and_warm_in_background(void);

/* 1 when the loaded libpq has pipeline mode (libpq 14 and later:
   PQenterPipelineMode, PQpipelineSync, ...); 0 on an older one. */
int pgsw_libpq_has_pipeline(void);

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

#include "starttls.h"

#endif
