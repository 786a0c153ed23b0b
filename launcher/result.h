/* Everything known about one selected test once it is over. */
#ifndef KUT_RESULT_H
#define KUT_RESULT_H

#include <stdbool.h>

#include "accel.h"
#include "strv.h"
#include "verdict.h"

struct test_result {
	const char *name;
	bool ran;		/* QEMU was started */
	enum accel accel;	/* used, or that would have been; AUTO: none */
	enum expect_outer outer;	/* what the KVM host runs on */
	double secs;
	struct verdict verdict;
	struct guest_output gout;
	struct run_end end;
	struct strv argv;
	char *log_path;		/* NULL when not logged */
	bool migrates;		/* in the migration group (launcher/migrate.h) */
	unsigned migrations;	/* live migrations completed */
	double migration_secs;	/* their time, request to go-on byte */
};

void test_result_free(struct test_result *r);

#endif
