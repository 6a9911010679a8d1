// The fence between Swift and the system OpenSSL 3: the headers Accord needs, plus
// `static inline` wrappers for what Swift cannot import (function-like macros, the
// type-safe stack macros and a few constants). Only AccordCrypto and AccordTLS import it.
#ifndef ACCORD_COPENSSL_SHIM_H
#define ACCORD_COPENSSL_SHIM_H

#include <openssl/opensslv.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/objects.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/x509_vfy.h>

#if OPENSSL_VERSION_MAJOR < 3
#error "Accord needs OpenSSL 3 (Debian: apt-get install libssl-dev)"
#endif

// MARK: BIO

static inline long accord_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline int accord_BIO_set_mem_eof_return(BIO *bio, int value) {
    return (int)BIO_set_mem_eof_return(bio, value);
}

static inline size_t accord_BIO_ctrl_pending(BIO *bio) {
    return BIO_ctrl_pending(bio);
}

// MARK: memory

static inline void accord_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

// MARK: X.509 stacks

static inline int accord_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) {
    return sk_GENERAL_NAME_num(names);
}

static inline GENERAL_NAME *accord_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index) {
    return sk_GENERAL_NAME_value(names, index);
}

static inline void accord_GENERAL_NAMES_free(GENERAL_NAMES *names) {
    GENERAL_NAMES_free(names);
}

static inline STACK_OF(X509) *accord_sk_X509_new_null(void) {
    return sk_X509_new_null();
}

static inline int accord_sk_X509_push(STACK_OF(X509) *stack, X509 *certificate) {
    return sk_X509_push(stack, certificate);
}

static inline int accord_sk_X509_num(const STACK_OF(X509) *stack) {
    return sk_X509_num(stack);
}

static inline X509 *accord_sk_X509_value(const STACK_OF(X509) *stack, int index) {
    return sk_X509_value(stack, index);
}

static inline void accord_sk_X509_free(STACK_OF(X509) *stack) {
    sk_X509_free(stack);
}

static inline void accord_sk_X509_pop_free(STACK_OF(X509) *stack) {
    sk_X509_pop_free(stack, X509_free);
}

static inline void accord_X509V3_set_ctx_nodb(X509V3_CTX *ctx) {
    X509V3_set_ctx_nodb(ctx);
}

static inline int accord_GENERAL_NAME_type(const GENERAL_NAME *name) {
    return name->type;
}

static inline const ASN1_IA5STRING *accord_GENERAL_NAME_uri(const GENERAL_NAME *name) {
    return name->type == GEN_URI ? name->d.uniformResourceIdentifier : NULL;
}

static inline const ASN1_IA5STRING *accord_GENERAL_NAME_dns(const GENERAL_NAME *name) {
    return name->type == GEN_DNS ? name->d.dNSName : NULL;
}

static inline const ASN1_IA5STRING *accord_GENERAL_NAME_email(const GENERAL_NAME *name) {
    return name->type == GEN_EMAIL ? name->d.rfc822Name : NULL;
}

static inline const ASN1_OCTET_STRING *accord_GENERAL_NAME_ip(const GENERAL_NAME *name) {
    return name->type == GEN_IPADD ? name->d.iPAddress : NULL;
}

// MARK: constants Swift imports poorly

static const unsigned long accord_XN_FLAG_RFC2253 = XN_FLAG_RFC2253;
static const int accord_GEN_URI = GEN_URI;
static const int accord_GEN_DNS = GEN_DNS;
static const int accord_GEN_EMAIL = GEN_EMAIL;
static const int accord_GEN_IPADD = GEN_IPADD;

// MARK: SSL (used by AccordTLS)

static inline long accord_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_min_proto_version(ctx, version);
}

static inline long accord_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return SSL_CTX_set_max_proto_version(ctx, version);
}

static inline uint64_t accord_SSL_CTX_set_options(SSL_CTX *ctx, uint64_t options) {
    return SSL_CTX_set_options(ctx, options);
}

static inline long accord_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

static inline long accord_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

static inline long accord_SSL_CTX_add0_chain_cert(SSL_CTX *ctx, X509 *certificate) {
    return SSL_CTX_add0_chain_cert(ctx, certificate);
}

static const uint64_t accord_SSL_OP_NO_TICKET = SSL_OP_NO_TICKET;
static const uint64_t accord_SSL_OP_NO_RENEGOTIATION = SSL_OP_NO_RENEGOTIATION;
static const uint64_t accord_SSL_OP_NO_COMPRESSION = SSL_OP_NO_COMPRESSION;
static const uint64_t accord_SSL_OP_CIPHER_SERVER_PREFERENCE = SSL_OP_CIPHER_SERVER_PREFERENCE;
static const long accord_SSL_SESS_CACHE_OFF = SSL_SESS_CACHE_OFF;
static const long accord_SSL_SESS_CACHE_SERVER = SSL_SESS_CACHE_SERVER;
static const int accord_TLS1_2_VERSION = TLS1_2_VERSION;
static const int accord_TLS1_3_VERSION = TLS1_3_VERSION;

#endif
