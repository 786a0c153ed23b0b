/* Which tests a command line asks for: names, shell globs, groups, or the
 * default set (every test not in group nodefault). */
#ifndef KUT_SELECT_H
#define KUT_SELECT_H

#include <stdbool.h>
#include <stddef.h>

#include "cfg.h"
#include "strv.h"

struct selection {
	const struct cfg_test **tests;	/* in catalog order, no duplicates */
	size_t n;
};

/*
 * Selects from @cfg the tests named or matched by @patterns and those in
 * @groups; with neither, the default set, or every test when @all. A name
 * or group that does not exist, or a glob that matches nothing, is an error
 * (-1, @err says which and suggests the closest names).
 */
int select_tests(const struct cfg *cfg, const struct strv *patterns,
		 const struct strv *groups, bool all, struct selection *out,
		 char *err, size_t errlen);

/* Up to @max names from @candidates closest to @word by edit distance,
 * joined by ", " into @buf; 0 when none is close. */
size_t select_suggest(const char *word, char *const *candidates, size_t n,
		      char *buf, size_t buflen, size_t max);

size_t edit_distance(const char *a, const char *b);
void selection_free(struct selection *sel);

#endif
