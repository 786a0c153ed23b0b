/* Unit tests of the JSON reader QMP replies go through (launcher/json.c). */
#include "json.h"
#include "unit-harness.h"

static char buf[256];

static void json_finds_nested_member_past_others(void)
{
	const char *t = "{\"a\": [1, {\"x\": \"}\"}], \"return\": {\"n\": -1.5e3, "
			"\"status\": \"active\"}}";

	EXPECT(json_get_string(t, "return.status", buf, sizeof(buf)), "not found");
	EXPECT_STR(buf, "active");
}

static void json_reads_qmp_error_desc_with_escapes(void)
{
	const char *t = "{\"error\": {\"class\": \"GenericError\", \"desc\": "
			"\"device \\\"x\\\" \\\\ \\u0041\\n\"}}";

	EXPECT(json_get_string(t, "error.desc", buf, sizeof(buf)), "not found");
	EXPECT_STR(buf, "device \"x\" \\ A\n");
}

static void json_types_of_members(void)
{
	const char *t = "{\"o\": {}, \"a\": [], \"s\": \"\", \"n\": 0, "
			"\"b\": false, \"z\": null}";
	const char *v;
	size_t len;

	EXPECT_INT(json_find(t, "o", &v, &len), JSON_OBJECT);
	EXPECT_INT(json_find(t, "a", &v, &len), JSON_ARRAY);
	EXPECT_INT(json_find(t, "s", &v, &len), JSON_STRING);
	EXPECT_INT(json_find(t, "n", &v, &len), JSON_NUMBER);
	EXPECT_INT(json_find(t, "b", &v, &len), JSON_BOOL);
	EXPECT_INT(json_find(t, "z", &v, &len), JSON_NULL);
	EXPECT_INT(json_find(t, "missing", &v, &len), JSON_NONE);
	EXPECT_INT(json_find(t, "s.deeper", &v, &len), JSON_NONE);
}

static void json_rejects_broken_text_without_reading_past_it(void)
{
	const char *v;
	size_t len;

	EXPECT_INT(json_find("{\"a\": \"unterminated", "a", &v, &len), JSON_NONE);
	EXPECT_INT(json_find("{\"a\" 1}", "a", &v, &len), JSON_NONE);
	EXPECT_INT(json_find("{\"a\": [1, 2}", "b", &v, &len), JSON_NONE);
	EXPECT_INT(json_find("", "a", &v, &len), JSON_NONE);
	EXPECT_INT(json_find("[\"a\"]", "a", &v, &len), JSON_NONE);
	EXPECT(!json_get_string("{\"a\": 5}", "a", buf, sizeof(buf)),
	       "a number read as a string");
}

static void json_string_is_cut_to_the_buffer(void)
{
	char small[4];

	EXPECT(json_get_string("{\"a\": \"abcdef\"}", "a", small, sizeof(small)),
	       "not found");
	EXPECT_STR(small, "abc");
}

static void json_deep_nesting_is_refused_not_overflowed(void)
{
	static char deep[4096];
	const char *v;
	size_t len, n = 0;

	n += (size_t)sprintf(deep, "{\"a\": ");
	for (int i = 0; i < 1000; i++)
		deep[n++] = '[';
	deep[n] = '\0';
	EXPECT_INT(json_find(deep, "a", &v, &len), JSON_NONE);
}

static void json_quote_escapes_for_qmp(void)
{
	char out[64];

	EXPECT(json_quote("unix:/tmp/a\"b\\c\n", out, sizeof(out)), "cut");
	EXPECT_STR(out, "\"unix:/tmp/a\\\"b\\\\c\\u000a\"");
	EXPECT(!json_quote("too long for this", out, 8), "not cut");
}

int main(void)
{
	RUN(json_finds_nested_member_past_others);
	RUN(json_reads_qmp_error_desc_with_escapes);
	RUN(json_types_of_members);
	RUN(json_rejects_broken_text_without_reading_past_it);
	RUN(json_string_is_cut_to_the_buffer);
	RUN(json_deep_nesting_is_refused_not_overflowed);
	RUN(json_quote_escapes_for_qmp);
	return unit_done();
}
