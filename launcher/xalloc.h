/* Allocation that cannot return NULL: on exhaustion the launcher reports it
 * and exits with the environment status (3), as kvm-unit-tests(1) documents.
 * The children carry PR_SET_PDEATHSIG, so none of them outlives that exit. */
#ifndef KUT_XALLOC_H
#define KUT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
