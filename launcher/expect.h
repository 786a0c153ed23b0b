/* Expectation lists: known failures and tests not to run on some hosts.
 * Format (contract.md; docs/known-failures.md; kvm-unit-tests(1)):
 *
 *   KIND  TEST[/ASSERTION-GLOB]  WHERE  REASON...
 *
 * KIND fail|skip; TEST a name or glob; WHERE '*' or a ',' list of arch=A and
 * accel=kvm|tcg that must all hold; REASON the rest of the line. Blanks
 * separate tokens, "..." groups, '#' at the start of a token begins a
 * comment. A markdown file (*.md) counts only lines inside ```expect fences. */
#ifndef KUT_EXPECT_H
#define KUT_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "accel.h"
#include "arch.h"

#define EXPECT_MAX_SIZE (1u << 20)

enum expect_kind {
	EXPECT_FAIL,
	EXPECT_SKIP,
};

struct expect_entry {
	enum expect_kind kind;
	char *test_glob;
	char *assert_glob;	/* NULL: the entry covers the whole test */
	unsigned arches;	/* ARCH_BIT() mask that must hold; ~0u: any */
	enum accel accel;	/* ACCEL_AUTO: any */
	char *reason;
	char *where;		/* file:line, for messages */
};

struct expect_list {
	struct expect_entry *v;
	size_t n;
};

/* Parses @len bytes of @buf named @name into @list (appending). Returns 0, or
 * -1 with @err "NAME:LINE: why". */
int expect_parse(const char *name, const char *buf, size_t len, bool markdown,
		 struct expect_list *list, char *err, size_t errlen);
/* Reads and parses @path (markdown when it ends in .md). A missing file is an
 * error unless @missing_ok. */
int expect_load(const char *path, bool missing_ok, struct expect_list *list,
		char *err, size_t errlen);

const struct expect_entry *expect_find_skip(const struct expect_list *list,
					    const char *test, enum arch arch,
					    enum accel accel);
const struct expect_entry *expect_find_test_fail(const struct expect_list *list,
						 const char *test, enum arch arch,
						 enum accel accel);
/* @text: a FAIL line's prefixes and message, after "FAIL: ". */
const struct expect_entry *expect_find_assert_fail(const struct expect_list *list,
						   const char *test, enum arch arch,
						   enum accel accel,
						   const char *text);
void expect_free(struct expect_list *list);

#endif
