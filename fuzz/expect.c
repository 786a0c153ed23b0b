/*
 * libFuzzer harness for the --expect list parser (launcher/expect.c), built
 * by `make fuzz` (fuzz/fuzz.mk). Byte 0 bit 0 chooses the markdown form
 * (```expect fences), the rest is the list. A list either parses into
 * entries that each have a test glob and a reason, or is refused with one
 * line "NAME:LINE: why"; the lookups then run over what was parsed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"

#define EXPECT_FUZZ_NAME "fuzz-expect"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expect_list list = { 0 };
	char err[512];
	bool markdown;

	if (!size)
		return 0;
	markdown = data[0] & 1;
	err[0] = '\0';
	if (expect_parse(EXPECT_FUZZ_NAME, (const char *)data + 1, size - 1, markdown,
			 &list, err, sizeof(err)) < 0) {
		if (strncmp(err, EXPECT_FUZZ_NAME ":", strlen(EXPECT_FUZZ_NAME ":")) ||
		    strchr(err, '\n'))
			abort();
		expect_free(&list);
		return 0;
	}
	for (size_t i = 0; i < list.n; i++)
		if (!list.v[i].test_glob || !list.v[i].reason || !*list.v[i].reason)
			abort();
	expect_find_skip(&list, "msr", ARCH_X86_64, ACCEL_TCG);
	expect_find_test_fail(&list, "eventinj", ARCH_I386, ACCEL_KVM);
	expect_find_assert_fail(&list, "msr", ARCH_X86_64, ACCEL_TCG,
				"msr: rdmsr of undefined MSR 0xdeadbeef (got vector 0, want 13)");
	expect_free(&list);
	return 0;
}
