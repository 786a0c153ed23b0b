/* A growable NULL-terminated vector of owned strings: argv, word lists. */
#ifndef KUT_STRV_H
#define KUT_STRV_H

#include <stddef.h>

struct strv {
	char **v;	/* always NULL-terminated once anything was pushed */
	size_t n;
	size_t cap;
};

void strv_push(struct strv *sv, const char *s);
void strv_push_owned(struct strv *sv, char *s);
void strv_append(struct strv *sv, const struct strv *from);
char *strv_join(const struct strv *sv, const char *sep);
void strv_free(struct strv *sv);

#endif
