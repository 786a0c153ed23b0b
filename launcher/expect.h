/* Expectation lists: known failures and tests not to run on some hosts.
 * Format (contract.md; docs/known-failures.md; kvm-unit-tests(1)):
 *
 *   KIND  TEST[/ASSERTION-GLOB]  WHERE  REASON...
 *
 * KIND fail|skip; TEST a name or glob; WHERE '*' or a ',' list of
 * conditions that must all hold: arch=A, accel=kvm|tcg, qemu<X.Y (and <=,
 * =, >=, >: the version of the QEMU binary run), kernel<X.Y (the same ops:
 * the kernel whose KVM runs the guests) and outer=none|tcg|kvm (what that
 * kernel itself runs on); REASON the rest of the line. Blanks
 * separate tokens, "..." groups, '#' at the start of a token begins a
 * comment. A markdown file (*.md) counts only lines inside ```expect fences. */
#ifndef KUT_EXPECT_H
#define KUT_EXPECT_H

#include <stdbool.h>
#include <stddef.h>

#include "accel.h"
#include "arch.h"
#include "cfg.h"

#define EXPECT_MAX_SIZE (1u << 20)
#define EXPECT_VERSION_PARTS 3	/* X.Y.Z */

/* What the outer layer under the KVM that runs the guests is: nothing (a
 * real host), QEMU TCG or KVM (nested). From $KUT_OUTER_ACCEL. */
enum expect_outer {
	OUTER_NONE,
	OUTER_TCG,
	OUTER_KVM,
	OUTER_COUNT,
};

enum version_op {
	VERSION_LT,
	VERSION_LE,
	VERSION_EQ,
	VERSION_GE,
	VERSION_GT,
};

/* "qemu<8.0": compares only the parts written, so qemu<8.0 holds for
 * 7.2.9 but not 8.0.2, and qemu=7.2 holds for every 7.2.z. */
struct version_cond {
	enum version_op op;
	unsigned v[EXPECT_VERSION_PARTS];
	unsigned nparts;
};

/* What the conditions are evaluated against; a version not known (0 parts)
 * makes every condition on it false. */
struct expect_host {
	unsigned qemu[EXPECT_VERSION_PARTS];
	unsigned qemu_parts;
	unsigned kernel[EXPECT_VERSION_PARTS];
	unsigned kernel_parts;
	enum expect_outer outer;
};

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
	struct version_cond *qemu;	/* all must hold */
	size_t nqemu;
	struct version_cond *kernel;	/* all must hold */
	size_t nkernel;
	unsigned outers;	/* 1 << enum expect_outer that may hold */
	char *reason;
	char *where;		/* file:line, for messages */
};

struct expect_list {
	struct expect_entry *v;
	size_t n;
	struct expect_host host;	/* expect_set_host(); zero: unknown */
	bool uses_qemu;		/* some entry has a qemu condition */
};

/* Reads a version "X", "X.Y" or "X.Y.Z" at the start of @s into @v; the
 * digits end at @*end. Returns the number of parts, 0 when @s holds none. */
unsigned version_parse(const char *s, unsigned v[EXPECT_VERSION_PARTS],
		       const char **end);
bool version_cond_holds(const struct version_cond *c, const unsigned *v,
			unsigned nparts);
/* "none", "tcg", "kvm" -> outer; -1 otherwise. */
int expect_outer_from_name(const char *name);
const char *expect_outer_name(enum expect_outer o);
void expect_set_host(struct expect_list *list, const struct expect_host *host);

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
/* Whether @e's test name or glob matches a test of @cfg. */
bool expect_entry_names_a_test(const struct expect_entry *e,
			       const struct cfg *cfg);
void expect_free(struct expect_list *list);

#endif
