/* The small condition language of the cfg key disabled_if, documented in
 * kvm-unit-tests.cfg(5):
 *
 *   disabled_if = accel=tcg
 *   disabled_if = arch=i386,accel=kvm || arch=arm
 *   disabled_if = [[ "$TARGET" != qemu ]]       (upstream's bash form)
 *
 * A term is VAR=GLOB, VAR==GLOB or VAR!=GLOB over arch, accel and target
 * (always "qemu": this launcher runs nothing else); ',' and '&&' join terms
 * that must all hold, '||' separates alternatives. */
#ifndef KUT_COND_H
#define KUT_COND_H

#include <stdbool.h>
#include <stddef.h>

enum cond_var {
	COND_ARCH,
	COND_ACCEL,
	COND_TARGET,
};

struct cond_term {
	enum cond_var var;
	bool negate;
	char *glob;
};

struct cond_all {
	struct cond_term *terms;
	size_t n;
};

struct cond {
	char *text;		/* as written, for messages */
	struct cond_all *alts;	/* any alternative holding makes the cond true */
	size_t n;
};

int cond_parse(const char *text, struct cond *out, char *err, size_t errlen);
bool cond_eval(const struct cond *c, const char *arch, const char *accel);
void cond_free(struct cond *c);

#endif
