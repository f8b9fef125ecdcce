/* libpq and the OpenSSL it links, loaded on the first call into them.
 *
 * Linking them would make the dynamic loader map libpq and its ~25
 * dependencies (libssl, libcrypto, Kerberos, LDAP, GnuTLS...) at every start:
 * about 4 ms and 7 MB of a command that never connects (`hba explain`,
 * `hba lint`, `--help`). Each function the wizard calls is defined here with
 * libpq's own prototype, so the compiler checks it, and forwards to the
 * library's function.
 *
 * Every function is looked up when the library is loaded, at the first call
 * into any of them (parsing the operator's connection string, before anything
 * is changed): a library without one of them fails there, as the loader
 * failed at start when the program was linked, never halfway through a run.
 *
 * The library is found as the loader would have found it (the same name,
 * RUNPATH and search order), and OpenSSL's functions are looked up in libpq's
 * own dependencies: an SSL* from PQsslStruct is only ever handled by the
 * libssl that made it.
 *
 * OpenSSL is told not to tear itself down at exit: the process may exit while
 * another thread is inside OpenSSL (the TLS probe beside the snapshot, the
 * warm-up below), and its exit handler would free the tables that thread is
 * reading. The memory goes back with the process anyway.
 *
 * These definitions are hidden: a debug executable exports its symbols (a
 * release one exports none, see the Makefile), and an exported PQclear would
 * otherwise take the place of libpq's own in its internal calls.
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

/* Every function forwarded: type, name, parameters, arguments. */
#define FORWARDED(VALUE, VOID)                                                                                     \
    VALUE(PGconn *, PQconnectdbParams, (const char *const *keywords, const char *const *values, int expand_dbname), \
          (keywords, values, expand_dbname))                                                                       \
    VOID(PQfinish, (PGconn *conn), (conn))                                                                         \
    VALUE(ConnStatusType, PQstatus, (const PGconn *conn), (conn))                                                  \
    VALUE(char *, PQerrorMessage, (const PGconn *conn), (conn))                                                    \
    VALUE(int, PQbackendPID, (const PGconn *conn), (conn))                                                         \
    VALUE(int, PQserverVersion, (const PGconn *conn), (conn))                                                      \
    VALUE(const char *, PQparameterStatus, (const PGconn *conn, const char *paramName), (conn, paramName))         \
    VALUE(char *, PQuser, (const PGconn *conn), (conn))                                                            \
    VALUE(char *, PQdb, (const PGconn *conn), (conn))                                                              \
    VALUE(char *, PQhost, (const PGconn *conn), (conn))                                                            \
    VALUE(char *, PQport, (const PGconn *conn), (conn))                                                            \
    VALUE(int, PQsocket, (const PGconn *conn), (conn))                                                             \
    VALUE(int, PQsslInUse, (PGconn *conn), (conn))                                                                 \
    VALUE(const char *, PQsslAttribute, (PGconn *conn, const char *attribute_name), (conn, attribute_name))        \
    VALUE(void *, PQsslStruct, (PGconn *conn, const char *struct_name), (conn, struct_name))                       \
    VALUE(int, PQgssEncInUse, (PGconn *conn), (conn))                                                              \
    VALUE(PQnoticeReceiver, PQsetNoticeReceiver, (PGconn *conn, PQnoticeReceiver proc, void *arg),                 \
          (conn, proc, arg))                                                                                       \
    VALUE(PQconninfoOption *, PQconninfo, (PGconn *conn), (conn))                                                  \
    VALUE(PQconninfoOption *, PQconninfoParse, (const char *conninfo, char **errmsg), (conninfo, errmsg))          \
    VOID(PQconninfoFree, (PQconninfoOption *connOptions), (connOptions))                                           \
    VALUE(PGresult *, PQexecParams,                                                                                \
          (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,  \
           const int *paramLengths, const int *paramFormats, int resultFormat),                                    \
          (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))             \
    VALUE(int, PQsendQuery, (PGconn *conn, const char *query), (conn, query))                                      \
    VALUE(PGresult *, PQgetResult, (PGconn *conn), (conn))                                                         \
    VALUE(ExecStatusType, PQresultStatus, (const PGresult *res), (res))                                            \
    VALUE(char *, PQresStatus, (ExecStatusType status), (status))                                                  \
    VALUE(char *, PQresultErrorMessage, (const PGresult *res), (res))                                              \
    VALUE(char *, PQresultErrorField, (const PGresult *res, int fieldcode), (res, fieldcode))                      \
    VALUE(char *, PQcmdStatus, (PGresult *res), (res))                                                             \
    VALUE(int, PQntuples, (const PGresult *res), (res))                                                            \
    VALUE(int, PQnfields, (const PGresult *res), (res))                                                            \
    VALUE(char *, PQfname, (const PGresult *res, int field_num), (res, field_num))                                 \
    VALUE(char *, PQgetvalue, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))        \
    VALUE(int, PQgetisnull, (const PGresult *res, int tup_num, int field_num), (res, tup_num, field_num))          \
    VOID(PQclear, (PGresult *res), (res))                                                                          \
    VALUE(char *, PQescapeLiteral, (PGconn *conn, const char *str, size_t len), (conn, str, len))                  \
    VOID(PQfreemem, (void *ptr), (ptr))                                                                            \
    VALUE(int, PQlibVersion, (void), ())                                                                           \
    /* OpenSSL, for the served certificate (shim.h) and the exit handler above */                                 \
    VALUE(int, OPENSSL_init_crypto, (uint64_t opts, const OPENSSL_INIT_SETTINGS *settings), (opts, settings))     \
    VALUE(const SSL_METHOD *, TLS_client_method, (void), ())                                                       \
    VALUE(SSL_CTX *, SSL_CTX_new, (const SSL_METHOD *method), (method))                                            \
    VOID(SSL_CTX_set_verify, (SSL_CTX *ctx, int mode, SSL_verify_cb callback), (ctx, mode, callback))              \
    VOID(SSL_CTX_set_msg_callback,                                                                                 \
         (SSL_CTX *ctx, void (*cb)(int, int, int, const void *, size_t, SSL *, void *)), (ctx, cb))                \
    VALUE(long, SSL_CTX_ctrl, (SSL_CTX *ctx, int cmd, long larg, void *parg), (ctx, cmd, larg, parg))             \
    VOID(SSL_CTX_free, (SSL_CTX *ctx), (ctx))                                                                      \
    VALUE(SSL *, SSL_new, (SSL_CTX *ctx), (ctx))                                                                   \
    VALUE(int, SSL_set_fd, (SSL *s, int fd), (s, fd))                                                              \
    VOID(SSL_set_bio, (SSL *s, BIO *rbio, BIO *wbio), (s, rbio, wbio))                                             \
    VOID(SSL_set_connect_state, (SSL *s), (s))                                                                     \
    VALUE(int, SSL_do_handshake, (SSL *s), (s))                                                                    \
    VALUE(BIO *, BIO_new, (const BIO_METHOD *type), (type))                                                        \
    VALUE(int, BIO_free, (BIO *a), (a))                                                                            \
    VALUE(const BIO_METHOD *, BIO_s_mem, (void), ())                                                               \
    VALUE(long, BIO_ctrl, (BIO *bp, int cmd, long larg, void *parg), (bp, cmd, larg, parg))                       \
    VALUE(int, SSL_connect, (SSL *ssl), (ssl))                                                                     \
    VALUE(int, SSL_write, (SSL *ssl, const void *buf, int num), (ssl, buf, num))                                   \
    VALUE(int, SSL_read, (SSL *ssl, void *buf, int num), (ssl, buf, num))                                          \
    VALUE(int, SSL_get_error, (const SSL *s, int ret_code), (s, ret_code))                                         \
    VALUE(X509 *, SSL_get1_peer_certificate, (const SSL *s), (s))                                                  \
    VALUE(const char *, SSL_get_version, (const SSL *s), (s))                                                      \
    VALUE(int, SSL_is_init_finished, (const SSL *s), (s))                                                          \
    VALUE(int, SSL_shutdown, (SSL *s), (s))                                                                        \
    VOID(SSL_free, (SSL *ssl), (ssl))                                                                              \
    VALUE(int, i2d_X509, (const X509 *a, unsigned char **out), (a, out))                                           \
    VOID(X509_free, (X509 *a), (a))                                                                                \
    VOID(ERR_clear_error, (void), ())                                                                              \
    VOID(CRYPTO_free, (void *ptr, const char *file, int line), (ptr, file, line))

/* libpq 14's pipeline mode (several statements, one round trip): looked up
   too, but a libpq without it (13 and older) is not a failure; the caller
   asks pgsw_libpq_has_pipeline() and sends one statement at a time there. */
#define OPTIONAL(VALUE)                                                                                           \
    VALUE(int, PQenterPipelineMode, (PGconn *conn), (conn))                                                      \
    VALUE(int, PQexitPipelineMode, (PGconn *conn), (conn))                                                       \
    VALUE(int, PQpipelineSync, (PGconn *conn), (conn))                                                           \
    VALUE(int, PQsendQueryParams,                                                                                \
          (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const char *const *paramValues,  \
           const int *paramLengths, const int *paramFormats, int resultFormat),                                    \
          (conn, command, nParams, paramTypes, paramValues, paramLengths, paramFormats, resultFormat))

/* starttls.h's count of the ClientHellos a handshake on this thread wrote. */
__thread int pgsw_starttls_hellos_written;

/* One typed pointer per function, filled once by load_libpq. */
#define SLOT(type, name, parameters, arguments) __typeof__(&name) name;
#define VOID_SLOT(name, parameters, arguments) __typeof__(&name) name;
static struct { FORWARDED(SLOT, VOID_SLOT) OPTIONAL(SLOT) } library;

static void *libpq_handle;
/* The name of what could not be loaded (the library or a function), or NULL. */
static const char *load_failure;
static char load_reason[512];
static pthread_once_t libpq_once = PTHREAD_ONCE_INIT;

static void load_libpq(void) {
    libpq_handle = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (libpq_handle == NULL) {
        const char *why = dlerror();
        load_failure = "libpq.so.5";
        snprintf(load_reason, sizeof load_reason, "%s", why != NULL ? why : "not found");
        return;
    }
#define LOOKUP(type, name, parameters, arguments)                                                 \
    library.name = (__typeof__(&name)) dlsym(libpq_handle, #name);                                \
    if (library.name == NULL && load_failure == NULL) {                                           \
        load_failure = #name;                                                                     \
        snprintf(load_reason, sizeof load_reason, "libpq.so.5 and its libraries have no %s", #name); \
    }
#define VOID_LOOKUP(name, parameters, arguments) LOOKUP(void, name, parameters, arguments)
    FORWARDED(LOOKUP, VOID_LOOKUP)
#define OPTIONAL_LOOKUP(type, name, parameters, arguments) \
    library.name = (__typeof__(&name)) dlsym(libpq_handle, #name);
    OPTIONAL(OPTIONAL_LOOKUP)
    if (load_failure == NULL) library.OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

/* The library cannot be missing on an installed system (the package depends
   on it); when it is, this is the loader's own failure, reported the same
   way: one line naming what is missing, and the exit status of a missing
   library. It comes at the first call into libpq, which parses the
   operator's connection string: nothing has been changed. */
static void require_libpq(void) {
    pthread_once(&libpq_once, load_libpq);
    if (load_failure == NULL) return;
    fprintf(stderr, "pg-ssl-wizard: cannot load %s (%s); install libpq5 (PostgreSQL's client library) and try again\n",
            load_failure, load_reason);
    _exit(127);
}

#define FORWARD(type, name, parameters, arguments) \
    type name parameters { require_libpq(); return library.name arguments; }
#define FORWARD_VOID(name, parameters, arguments) \
    void name parameters { require_libpq(); library.name arguments; }
FORWARDED(FORWARD, FORWARD_VOID)
/* Called only after pgsw_libpq_has_pipeline() said yes. */
OPTIONAL(FORWARD)

int pgsw_libpq_has_pipeline(void) {
    require_libpq();
    return library.PQenterPipelineMode != NULL && library.PQexitPipelineMode != NULL && library.PQpipelineSync != NULL
        && library.PQsendQueryParams != NULL;
}

static void load_libpq_once(void) {
    pthread_once(&libpq_once, load_libpq);
}

void pgsw_libpq_load_and_warm(void) {
    /* OpenSSL's first context costs about 3 ms (its configuration, its
       providers, the method tables); every later one about 0.25 ms. Paid
       here, on a spare core, the first handshake (the TLS probe of status
       and of a plan) does not wait for it. Nothing is connected. A library
       that cannot be loaded is left to the first real call to report (this
       is only a head start, and the command may not connect after all), so
       nothing here exits. */
    load_libpq_once();
    if (load_failure != NULL) return;
    SSL_CTX *context = library.SSL_CTX_new(library.TLS_client_method());
    if (context != NULL) library.SSL_CTX_free(context);
}

static void *load_and_warm_thread(void *unused) {
    (void) unused;
    pgsw_libpq_load_and_warm();
    return NULL;
}

int pgsw_libpq_load_and_warm_in_background(void) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, load_and_warm_thread, NULL) != 0) return -1;
    return pthread_detach(thread);
}
