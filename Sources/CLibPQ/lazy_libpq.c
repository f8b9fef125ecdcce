/* libpq and the OpenSSL it links, loaded on the first call into them.
 *
 * Linking them would make the dynamic loader map libpq and its ~25
 * dependencies (libssl, libcrypto, Kerberos, LDAP, GnuTLS...) at every start:
 * about 4 ms and 7 MB of a command that never connects (`hba explain`,
 * `hba lint`, `--help`). Each function the wizard calls is defined here with
 * libpq's own prototype, so the compiler checks it, and forwards to the
 * library's function, looked up once.
 *
 * The library is found as the loader would have found it (the same name,
 * RUNPATH and search order), and OpenSSL's functions are looked up in libpq's
 * own dependencies: an SSL* from PQsslStruct is only ever handled by the
 * libssl that made it.
 *
 * These definitions are hidden: the executable exports its symbols, and an
 * exported PQclear would otherwise take the place of libpq's own in its
 * internal calls.
 *
 * The C library's headers come first: what they declare must keep its
 * default visibility, or the calls below would not reach libc. */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#pragma GCC visibility push(hidden)
#include "shim.h"
#pragma GCC visibility pop

static void *libpq_handle;
static pthread_once_t libpq_once = PTHREAD_ONCE_INIT;

static void load_libpq(void) {
    libpq_handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
}

/* The library cannot be missing on an installed system (the package depends
   on it); when it is, this is the loader's own failure, reported the same
   way: one line naming what is missing, and the exit status of a missing
   library. Nothing has been changed at that point: no connection exists. */
static void missing(const char *what) {
    const char *why = dlerror();
    fprintf(stderr, "pg-ssl-wizard: cannot load %s (%s); install libpq5 (PostgreSQL's client library) and try again\n",
            what, why != NULL ? why : "not found");
    _exit(127);
}

void pgsw_libpq_load(void) {
    pthread_once(&libpq_once, load_libpq);
}

void pgsw_libpq_load_and_warm(void) {
    /* OpenSSL's first context costs about 3 ms (its configuration, its
       providers, the method tables); every later one about 0.25 ms. Paid
       here, on a spare core, the first handshake (the TLS probe of status
       and of a plan) does not wait for it. Nothing is connected. A library
       that cannot be loaded is left to the first real call to report: this
       is only a head start, and the command may not connect after all. */
    pgsw_libpq_load();
    if (libpq_handle == NULL) return;
    SSL_CTX *context = SSL_CTX_new(TLS_client_method());
    if (context != NULL) SSL_CTX_free(context);
}

static void *libpq_symbol(const char *name) {
    pthread_once(&libpq_once, load_libpq);
    if (libpq_handle == NULL) missing("libpq.so.5");
    void *symbol = dlsym(libpq_handle, name);
    if (symbol == NULL) missing(name);
    return symbol;
}

/* One function: its cached address, then the call. */
#define LOOKUP(name)                                                              \
    static __typeof__(&name) cached;                                              \
    __typeof__(&name) function = __atomic_load_n(&cached, __ATOMIC_ACQUIRE);      \
    if (function == NULL) {                                                       \
        function = (__typeof__(&name)) libpq_symbol(#name);                      \
        __atomic_store_n(&cached, function, __ATOMIC_RELEASE);                    \
    }
#define FORWARD(type, name, parameters, arguments) \
    type name parameters { LOOKUP(name) return function arguments; }
#define FORWARD_VOID(name, parameters, arguments) \
    void name parameters { LOOKUP(name) function arguments; }

/* libpq */
FORWARD(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand_dbname),
        (keywords, values, expand_dbname))
FORWARD_VOID(PQfinish, (PGconn *conn), (conn))
FORWARD(ConnStatusType, PQstatus, (const PGconn *conn), (conn))
FORWARD(char *, PQerrorMessage, (const PGconn *conn), (conn))
FORWARD(int, PQbackendPID, (const PGconn *conn), (conn))
FORWARD(int, PQserverVersion, (const PGconn *conn), (conn))
FORWARD(const char *, PQparameterStatus, (const PGconn *conn, const char *paramName), (conn, paramName))
FORWARD(char *, PQuser, (const PGconn *conn), (conn))
FORWARD(char *, PQdb, (const PGconn *conn), (conn))
FORWARD(char *, PQhost, (const PGconn *conn), (conn))
FORWARD(char *, PQport, (const PGconn *conn), (conn))
FORWARD(int, PQsslInUse, (PGconn *conn), (conn))
FORWARD(const char *, PQsslAttribute, (PGconn *conn, const char *attribute_name), (conn, attribute_name))
FORWARD(void *, PQsslStruct, (PGconn *conn, const char *struct_name), (conn, struct_name))
FORWARD(int, PQgssEncInUse, (PGconn *conn), (conn))
FORWARD(PQnoticeReceiver, PQsetNoticeReceiver, (PGconn *conn, PQnoticeReceiver proc, void *arg), (conn, proc, arg))
FORWARD(PQconninfoOption *, PQconninfo, (PGconn *conn), (conn))
FORWARD(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg))
FORWARD_VOID(PQconninfoFree, (PQconninfoOption *connOptions), (connOptions))
FORWARD(PGresult *, PQexec, (PGconn *conn, const char *query), (conn, query))
FORWARD(PGresult *, PQexecParams,
        (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,
         const int *paramLengths, const int *paramFormats, int resultFormat),
        (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))
FORWARD(ExecStatusType, PQresultStatus, (const PGresult *res), (res))
FORWARD(char *, PQresStatus, (ExecStatusType status), (status))
FORWARD(char *, PQresultErrorMessage, (const PGresult *res), (res))
FORWARD(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))
FORWARD(char *, PQcmdStatus, (PGresult *res), (res))
FORWARD(int, PQntuples, (const PGresult *res), (res))
FORWARD(int, PQnfields, (const PGresult *res), (res))
FORWARD(char *, PQfname, (const PGresult *res, int field_num), (res, field_num))
FORWARD(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
FORWARD(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))
FORWARD_VOID(PQclear, (PGresult *res), (res))
FORWARD(char *, PQescapeLiteral, (PGconn *conn, const char *str, size_t len), (conn, str, len))
FORWARD_VOID(PQfreemem, (void *ptr), (ptr))
FORWARD(int, PQlibVersion, (void), ())

/* OpenSSL, for the served certificate (shim.h) */
FORWARD(const SSL_METHOD *, TLS_client_method, (void), ())
FORWARD(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *method), (method))
FORWARD_VOID(SSL_CTX_set_verify, (SSL_CTX *ctx, int mode, SSL_verify_cb callback), (ctx, mode, callback))
FORWARD_VOID(SSL_CTX_free, (SSL_CTX *ctx), (ctx))
FORWARD(SSL *, SSL_new, (SSL_CTX *ctx), (ctx))
FORWARD(int, SSL_set_fd, (SSL *s, int fd), (s, fd))
FORWARD(int, SSL_connect, (SSL *ssl), (ssl))
FORWARD(int, SSL_get_error, (const SSL *s, int ret_code), (s, ret_code))
FORWARD(X509 *, SSL_get1_peer_certificate, (const SSL *s), (s))
FORWARD(const char *, SSL_get_version, (const SSL *s), (s))
FORWARD(int, SSL_shutdown, (SSL *s), (s))
FORWARD_VOID(SSL_free, (SSL *ssl), (ssl))
FORWARD(int, i2d_X509, (const X509 *a, unsigned char **out), (a, out))
FORWARD_VOID(X509_free, (X509 *a), (a))
FORWARD_VOID(CRYPTO_free, (void *ptr, const char *file, int line), (ptr, file, line))
