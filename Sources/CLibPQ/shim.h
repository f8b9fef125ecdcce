#ifndef PGSW_CLIBPQ_SHIM_H
#define PGSW_CLIBPQ_SHIM_H
/* The Debian header lives under postgresql/; the plain name is not found
   when SwiftPM drops pkg-config's include flags. */
#include <postgresql/libpq-fe.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/crypto.h>

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
#endif
