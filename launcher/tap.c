#include <stdbool.h>
#include <string.h>

#include "tap.h"
#include "utf8.h"

#define YAML_MAX_ITEMS 20	/* failing lines shown; the log has the rest */
#define SUBTEST_INDENT "    "

/* TAP text: control characters would break the line; in a description an
 * unescaped '#' would start a directive. */
static void put_text(FILE *out, const char *s, bool description)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fputc('?', out);
		else if (description && (c == '#' || c == '\\'))
			fprintf(out, "\\%c", c);
		else
			fputc(c, out);
	}
}

/*
 * A YAML double-quoted scalar that both js-yaml and Perl's TAP::Parser
 * YAMLish read back: escapes \" \\ \t and \xNN only. Perl takes a sequence
 * item whose first word ends in ':' for a mapping ("- FAIL: x"), so in
 * sequence items a ':' before the second word is written \x3a.
 */
static void put_yaml_string(FILE *out, const char *str, bool item)
{
	const unsigned char *s = (const unsigned char *)str;
	bool first_word = item;

	fputc('"', out);
	while (*s) {
		size_t n;

		if (first_word && *s == ':') {
			fputs("\\x3a", out);
			s++;
			continue;
		}
		if (first_word && (*s == ' ' || *s == '\t') && s[1] != ' ' &&
		    s[1] != '\t' && s[1] != ':')
			first_word = false;
		if (*s == '"' || *s == '\\') {
			fprintf(out, "\\%c", *s);
		} else if (*s == '\t') {
			fputs("\\t", out);
		} else if (*s < 0x20 || *s == 0x7f) {
			fprintf(out, "\\x%02x", *s);
		} else if (*s >= 0x80) {
			n = utf8_len(s);
			if (!n) {
				fprintf(out, "\\x%02x", *s);
			} else {
				fwrite(s, 1, n, out);
				s += n;
				continue;
			}
		} else {
			fputc(*s, out);
		}
		s++;
	}
	fputc('"', out);
}

static void yaml_key(FILE *out, const char *key, const char *val)
{
	fprintf(out, "  %s: ", key);
	put_yaml_string(out, val, false);
	fputc('\n', out);
}

static void yaml_item(const char *line, void *arg)
{
	FILE *out = arg;

	fputs("    - ", out);
	put_yaml_string(out, line, true);
	fputc('\n', out);
}

static void yaml_lines(FILE *out, const char *key, const struct guest_output *g,
		       enum report_kind kind, unsigned total)
{
	unsigned shown = 0;

	if (!total)
		return;
	fprintf(out, "  %s:\n", key);
	for (size_t i = 0; i < g->n && shown < YAML_MAX_ITEMS; i++) {
		if (g->lines[i].kind != kind)
			continue;
		yaml_item(g->lines[i].text, out);
		shown++;
	}
	if (shown < total)
		fprintf(out, "    - \"... %u more in the log\"\n", total - shown);
}

static void put_yaml(FILE *out, const struct test_result *r)
{
	const struct guest_output *g = &r->gout;
	const struct verdict *v = &r->verdict;
	bool failed = v->kind == VERDICT_FAIL || v->kind == VERDICT_KNOWN;

	fputs("  ---\n", out);
	if (v->reason && failed)
		yaml_key(out, "reason", v->reason);
	if (v->note)
		yaml_key(out, "note", v->note);
	/* every test: the accelerator used ("none": QEMU never started) */
	fprintf(out, "  accel: %s\n", r->ran ? accel_name(r->accel) : "none");
	fprintf(out, "  duration_s: %.2f\n", r->ran ? r->secs : 0.0);
	if (r->outer != OUTER_NONE)
		fprintf(out, "  outer: %s\n", expect_outer_name(r->outer));
	if (r->ran) {
		if (v->have_status)
			fprintf(out, "  status: %d\n", v->status);
		if (r->end.kind == END_EXITED)
			fprintf(out, "  qemu_exit: %d\n", r->end.code);
		else if (r->end.kind == END_SIGNALED)
			fprintf(out, "  qemu_signal: %d\n", r->end.code);
		if (r->migrates)
			fprintf(out, "  migrations: %u\n  migration_s: %.2f\n",
				r->migrations, r->migration_secs);
	}
	if (failed && r->argv.n) {
		fputs("  argv:\n", out);
		for (size_t i = 0; i < r->argv.n; i++)
			yaml_item(r->argv.v[i], (void *)out);
	}
	yaml_lines(out, "failures", g, REPORT_FAIL, g->counts[REPORT_FAIL]);
	yaml_lines(out, "unexpected_passes", g, REPORT_XPASS, g->counts[REPORT_XPASS]);
	yaml_lines(out, "info", g, REPORT_INFO, g->counts[REPORT_INFO]);
	if (failed && g->err_tail.n) {
		fputs("  stderr:\n", out);
		line_tail_each(&g->err_tail, yaml_item, out);
	}
	/* a crash or a hang says most in the guest's last lines */
	if (failed && !g->counts[REPORT_FAIL] && g->out_tail.n) {
		fputs("  output_tail:\n", out);
		line_tail_each(&g->out_tail, yaml_item, out);
	}
	if (r->log_path)
		yaml_key(out, "log", r->log_path);
	fputs("  ...\n", out);
}

static void put_subtests(FILE *out, const struct test_result *r)
{
	const struct guest_output *g = &r->gout;
	unsigned plan = 0, k = 0;

	for (size_t i = 0; i < g->n; i++)
		plan += g->lines[i].kind != REPORT_INFO;
	if (!plan)
		return;
	fprintf(out, SUBTEST_INDENT "# Subtest: %s\n", r->name);
	fprintf(out, SUBTEST_INDENT "1..%u\n", plan);
	for (size_t i = 0; i < g->n; i++) {
		const struct report_line *l = &g->lines[i];
		bool ok = l->kind == REPORT_PASS || l->kind == REPORT_SKIP;

		if (l->kind == REPORT_INFO)
			continue;
		fprintf(out, SUBTEST_INDENT "%sok %u - ", ok ? "" : "not ", ++k);
		put_text(out, l->text, true);
		switch (l->kind) {
		case REPORT_SKIP:
			fputs(" # SKIP", out);
			break;
		case REPORT_XFAIL:
			fputs(" # TODO expected failure (XFAIL)", out);
			break;
		case REPORT_XPASS:
			fputs(" (XPASS: passed, expected to fail)", out);
			break;
		case REPORT_FAIL:
		case REPORT_PASS:
			if (l->known) {
				fputs(" # TODO ", out);
				put_text(out, l->known->reason, false);
			}
			break;
		default:
			break;
		}
		fputc('\n', out);
	}
	if (g->dropped)
		fprintf(out, SUBTEST_INDENT "# %zu more report lines are only in the log\n",
			g->dropped);
}

void tap_begin(FILE *out, enum tap_style style, size_t plan)
{
	if (style == TAP_FULL)
		fprintf(out, "TAP version 13\n1..%zu\n", plan);
}

void tap_result(FILE *out, unsigned num, const struct test_result *r)
{
	const struct verdict *v = &r->verdict;
	bool ok = v->kind == VERDICT_PASS || v->kind == VERDICT_SKIP ||
		  v->kind == VERDICT_FIXED;

	if (r->ran)
		put_subtests(out, r);
	fprintf(out, "%sok %u - ", ok ? "" : "not ", num);
	put_text(out, r->name, true);
	switch (v->kind) {
	case VERDICT_SKIP:
	case VERDICT_KNOWN:
	case VERDICT_FIXED:
		fputs(v->kind == VERDICT_SKIP ? " # SKIP " : " # TODO ", out);
		put_text(out, v->reason ? v->reason : "", false);
		break;
	default:
		break;
	}
	fputc('\n', out);
	put_yaml(out, r);
}

void tap_brief_result(FILE *out, const struct test_result *r)
{
	static const char *const word[] = {
		[VERDICT_PASS] = "PASS", [VERDICT_FAIL] = "FAIL",
		[VERDICT_SKIP] = "SKIP", [VERDICT_KNOWN] = "KNOWN",
		[VERDICT_FIXED] = "FIXED",
	};
	const struct verdict *v = &r->verdict;

	fprintf(out, "%-6s ", word[v->kind]);
	put_text(out, r->name, false);
	if (r->ran)
		fprintf(out, " (%s, %.2fs)", accel_name(r->accel), r->secs);
	if (v->kind != VERDICT_PASS && v->reason) {
		fputs(": ", out);
		put_text(out, v->reason, false);
	}
	if (v->kind == VERDICT_FAIL && r->log_path) {
		fputs(" [", out);
		put_text(out, r->log_path, false);
		fputc(']', out);
	}
	fputc('\n', out);
}

void tap_print(FILE *out, enum tap_style style, unsigned num,
	       const struct test_result *r)
{
	if (style == TAP_BRIEF)
		tap_brief_result(out, r);
	else
		tap_result(out, num, r);
}

void tap_count(struct tap_counts *c, const struct test_result *r)
{
	switch (r->verdict.kind) {
	case VERDICT_PASS:
		c->passed++;
		break;
	case VERDICT_FAIL:
		c->failed++;
		break;
	case VERDICT_SKIP:
		c->skipped++;
		break;
	case VERDICT_KNOWN:
		c->known++;
		break;
	case VERDICT_FIXED:
		c->fixed++;
		break;
	}
}

void tap_summary(FILE *out, size_t planned, const struct tap_counts *c)
{
	size_t done = c->passed + c->failed + c->skipped + c->known + c->fixed;

	fprintf(out, "# %zu test%s: %zu passed, %zu failed, %zu skipped, %zu known failure%s",
		planned, planned == 1 ? "" : "s", c->passed, c->failed,
		c->skipped, c->known, c->known == 1 ? "" : "s");
	if (c->fixed)
		fprintf(out, ", %zu fixed", c->fixed);
	if (done < planned)
		fprintf(out, ", %zu not run", planned - done);
	fputc('\n', out);
}

void tap_bail_out(FILE *out, enum tap_style style, const char *why)
{
	if (style == TAP_BRIEF)
		fprintf(out, "STOP   %s\n", why);
	else
		fprintf(out, "Bail out! %s\n", why);
}
