// Non-variadic wrappers for libcurl's variadic setopt/getinfo, and the macros
// Swift cannot import. One setter per argument type, as swift-corelibs-foundation does.
#ifndef CCURLSHIM_H
#define CCURLSHIM_H

#include <curl/curl.h>

typedef size_t (*causeway_curl_write_cb)(char *data, size_t size, size_t nmemb, void *userdata);
typedef int (*causeway_curl_xferinfo_cb)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);

CURLcode causeway_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode causeway_easy_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode causeway_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode causeway_easy_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode causeway_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
/// Copies the bytes (CURL_BLOB_COPY), so the caller's buffer may go away at once.
CURLcode causeway_easy_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);
CURLcode causeway_easy_setopt_write_function(CURL *handle, CURLoption option, causeway_curl_write_cb callback);
CURLcode causeway_easy_setopt_xferinfo_function(CURL *handle, causeway_curl_xferinfo_cb callback);

CURLcode causeway_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode causeway_easy_getinfo_pointer(CURL *handle, CURLINFO info, void **value);
CURLcode causeway_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);

CURLMcode causeway_multi_setopt_long(CURLM *handle, CURLMoption option, long value);

/// Names the calling thread (15 bytes kept) so a transfer loop shows up in ps/top/gdb.
void causeway_name_current_thread(const char *name);

static const long causeway_CURLAUTH_BEARER = CURLAUTH_BEARER;
static const long causeway_CURL_HTTP_VERSION_2TLS = CURL_HTTP_VERSION_2TLS;
static const long causeway_CURL_HTTP_VERSION_1_1 = CURL_HTTP_VERSION_1_1;
static const long causeway_CURLPIPE_MULTIPLEX = CURLPIPE_MULTIPLEX;

/// curl_global_init, with the TLS library told not to tear itself down at process exit: a
/// transfer thread still in a handshake when main returns would otherwise use freed state
/// (a SIGSEGV in libcrypto while exit handlers run). Returns whether that could be said.
CURLcode causeway_curl_global_init(int *tls_kept_at_exit);

#endif
