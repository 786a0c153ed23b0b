/* Unit tests of the shell-like word splitting (launcher/shellwords.c). */
#include <stdlib.h>

#include "shellwords.h"
#include "unit-harness.h"

static struct strv words;
static char *expansion;
static char err[256];

static int split(const char *s)
{
	strv_free(&words);
	free(expansion);
	expansion = NULL;
	err[0] = '\0';
	return shellwords_split(s, &words, &expansion, err, sizeof(err));
}

static void shellwords_splits_on_blanks(void)
{
	EXPECT_INT(split("  -m 256\t-cpu  qemu64 "), 0);
	EXPECT_INT(words.n, 4);
	EXPECT_STR(words.v[0], "-m");
	EXPECT_STR(words.v[3], "qemu64");
	EXPECT(words.v[4] == NULL, "not NULL-terminated");
}

static void shellwords_empty_string_has_no_words(void)
{
	EXPECT_INT(split(""), 0);
	EXPECT_INT(words.n, 0);
	EXPECT_INT(split("   \t "), 0);
	EXPECT_INT(words.n, 0);
}

static void shellwords_single_quotes_are_literal(void)
{
	EXPECT_INT(split("-append 'a \"b\" $X \\n'"), 0);
	EXPECT_INT(words.n, 2);
	EXPECT_STR(words.v[1], "a \"b\" $X \\n");
	EXPECT(expansion == NULL, "expansion '%s' inside single quotes", expansion);
}

static void shellwords_double_quotes_take_four_escapes(void)
{
	EXPECT_INT(split("\"a \\\"b\\\" \\\\ \\x\""), 0);
	EXPECT_INT(words.n, 1);
	EXPECT_STR(words.v[0], "a \"b\" \\ \\x");
}

static void shellwords_backslash_escapes_outside_quotes(void)
{
	EXPECT_INT(split("a\\ b c\\"), 0);
	EXPECT_INT(words.n, 2);
	EXPECT_STR(words.v[0], "a b");
	EXPECT_STR(words.v[1], "c\\");
}

static void shellwords_joins_adjacent_quoted_parts(void)
{
	EXPECT_INT(split("base=\"2006-06-17\"'x'y"), 0);
	EXPECT_INT(words.n, 1);
	EXPECT_STR(words.v[0], "base=2006-06-17xy");
}

static void shellwords_keeps_empty_quoted_word(void)
{
	EXPECT_INT(split("a '' \"\" b"), 0);
	EXPECT_INT(words.n, 4);
	EXPECT_STR(words.v[1], "");
	EXPECT_STR(words.v[2], "");
}

static void shellwords_rejects_unterminated_quotes(void)
{
	EXPECT_INT(split("a 'b"), -1);
	EXPECT_STR(err, "unterminated ' quote");
	EXPECT_INT(split("a \"b"), -1);
	EXPECT_STR(err, "unterminated \" quote");
}

static void shellwords_reports_expansions_it_does_not_perform(void)
{
	EXPECT_INT(split("-append \"10000000 `date +%s`\""), 0);
	EXPECT_STR(expansion, "`date +%s`");
	EXPECT_INT(split("x=$(date +%s) y"), 0);
	EXPECT_STR(expansion, "$(date +%s)");
	EXPECT_INT(split("$MAX_SMP"), 0);
	EXPECT_STR(expansion, "$MAX_SMP");
	EXPECT_INT(split("cost=$5 a$"), 0);
	EXPECT(expansion == NULL, "got '%s' for a lone $", expansion);
}

static void shellwords_quote_leaves_plain_words_alone(void)
{
	char *q = shellwords_quote("-cpu");

	EXPECT_STR(q, "-cpu");
	free(q);
	q = shellwords_quote("qemu64,+x2apic");
	EXPECT_STR(q, "qemu64,+x2apic");
	free(q);
}

static void shellwords_quote_quotes_blanks_and_quotes(void)
{
	char *q = shellwords_quote("a b");

	EXPECT_STR(q, "'a b'");
	free(q);
	q = shellwords_quote("it's");
	EXPECT_STR(q, "'it'\\''s'");
	free(q);
	q = shellwords_quote("");
	EXPECT_STR(q, "''");
	free(q);
}

int main(void)
{
	RUN(shellwords_splits_on_blanks);
	RUN(shellwords_empty_string_has_no_words);
	RUN(shellwords_single_quotes_are_literal);
	RUN(shellwords_double_quotes_take_four_escapes);
	RUN(shellwords_backslash_escapes_outside_quotes);
	RUN(shellwords_joins_adjacent_quoted_parts);
	RUN(shellwords_keeps_empty_quoted_word);
	RUN(shellwords_rejects_unterminated_quotes);
	RUN(shellwords_reports_expansions_it_does_not_perform);
	RUN(shellwords_quote_leaves_plain_words_alone);
	RUN(shellwords_quote_quotes_blanks_and_quotes);
	strv_free(&words);
	free(expansion);
	return unit_done();
}
