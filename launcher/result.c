#include <stdlib.h>
#include <string.h>

#include "result.h"

void test_result_free(struct test_result *r)
{
	verdict_free(&r->verdict);
	guest_output_free(&r->gout);
	run_end_free(&r->end);
	strv_free(&r->argv);
	free(r->log_path);
	r->log_path = NULL;
}
