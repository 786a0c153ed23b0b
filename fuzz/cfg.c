/*
 * libFuzzer harness for the unittests.cfg parser (launcher/cfg.c), built by
 * `make fuzz` (fuzz/fuzz.mk). Any input must either parse into a catalog
 * whose every test has a name and an image, or be refused with one line of
 * the form "NAME:LINE: ..." (kvm-unit-tests.cfg(5), errors); the sanitizers
 * catch the rest (overflows, leaks, undefined behaviour).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"

#define CFG_FUZZ_NAME "fuzz.cfg"

static void check_test(const struct cfg *cfg, const struct cfg_test *t)
{
	if (!t->name || !*t->name || !t->file || !*t->file)
		abort();
	/* a name is found again, and finds a test of that name */
	if (strcmp(cfg_find(cfg, t->name)->name, t->name))
		abort();
	for (size_t i = 0; i < t->groups.n; i++)
		if (!cfg_test_in_group(t, t->groups.v[i]))
			abort();
	if (t->nodefault != cfg_test_in_group(t, "nodefault"))
		abort();
	for (size_t i = 0; i < t->ndisabled_if; i++) {
		cond_eval(&t->disabled_if[i], "x86_64", "tcg");
		cond_eval(&t->disabled_if[i], "i386", "kvm");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cfg cfg;
	char err[512];

	err[0] = '\0';
	if (cfg_parse(CFG_FUZZ_NAME, (const char *)data, size, &cfg, err,
		      sizeof(err)) < 0) {
		/* one line naming the file */
		if (strncmp(err, CFG_FUZZ_NAME ":", strlen(CFG_FUZZ_NAME ":")) ||
		    strchr(err, '\n'))
			abort();
		return 0;
	}
	for (size_t i = 0; i < cfg.ntests; i++)
		check_test(&cfg, &cfg.tests[i]);
	cfg_free(&cfg);
	return 0;
}
