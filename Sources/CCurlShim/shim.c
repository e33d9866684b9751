#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include "CCurlShim.h"

CURLcode causeway_curl_global_init(int *tls_kept_at_exit) {
    // OpenSSL (libcurl's TLS here) registers an atexit handler that frees its global state unless its
    // first initialisation says OPENSSL_INIT_NO_ATEXIT (0x00080000, OpenSSL 1.1.1 and 3). It is looked
    // up rather than linked: libcurl may be built on another TLS library, which has no such handler.
    typedef int (*init_crypto_fn)(uint64_t options, const void *settings);
    init_crypto_fn init_crypto = (init_crypto_fn)dlsym(RTLD_DEFAULT, "OPENSSL_init_crypto");
    *tls_kept_at_exit = init_crypto != NULL && init_crypto(0x00080000UL, NULL) == 1;
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

CURLcode causeway_easy_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
CURLcode causeway_easy_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
CURLcode causeway_easy_setopt_string(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
CURLcode causeway_easy_setopt_pointer(CURL *h, CURLoption o, void *v) { return curl_easy_setopt(h, o, v); }
CURLcode causeway_easy_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }

CURLcode causeway_easy_setopt_blob(CURL *h, CURLoption o, const void *data, size_t length) {
    struct curl_blob blob = { (void *)data, length, CURL_BLOB_COPY };
    return curl_easy_setopt(h, o, &blob);
}

CURLcode causeway_easy_setopt_write_function(CURL *h, CURLoption o, causeway_curl_write_cb cb) {
    return curl_easy_setopt(h, o, cb);
}

CURLcode causeway_easy_setopt_xferinfo_function(CURL *h, causeway_curl_xferinfo_cb cb) {
    return curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, cb);
}

CURLcode causeway_easy_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
CURLcode causeway_easy_getinfo_pointer(CURL *h, CURLINFO i, void **v) { return curl_easy_getinfo(h, i, v); }
CURLcode causeway_easy_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }

CURLMcode causeway_multi_setopt_long(CURLM *h, CURLMoption o, long v) { return curl_multi_setopt(h, o, v); }

void causeway_name_current_thread(const char *name) {
#if defined(__linux__)
    pthread_setname_np(pthread_self(), name);
#elif defined(__APPLE__)
    pthread_setname_np(name);
#endif
}
