#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "junit.h"
#include "utf8.h"
#include "xalloc.h"

#define JUNIT_MAX_FAIL_LINES 20	/* failing lines quoted; the log has all */
#define JUNIT_HOST_MAX 256

struct junit_case {
	char *name;
	enum verdict_kind kind;
	char *message;		/* <skipped>/<failure> message, or NULL */
	char *type;		/* <failure> type, or NULL */
	char *body;		/* the text inside, or NULL */
	const char *accel;	/* "none" when QEMU never started */
	double secs;
	bool error;		/* cut short by an interruption: <error> */
};

struct junit {
	char *suite;
	struct strv props;
	char timestamp[32];
	char hostname[JUNIT_HOST_MAX];
	struct junit_case *cases;
	size_t n, cap;
	double wall;		/* < 0: not set */
	char *interrupted;	/* why, or NULL */
};

struct junit *junit_new(const char *suite, const char *const *props,
			size_t nprops)
{
	struct junit *j = xcalloc(1, sizeof(*j));
	time_t now = time(NULL);
	struct tm tm;

	j->suite = xstrdup(suite);
	j->wall = -1;
	for (size_t i = 0; i < nprops; i++)
		strv_push(&j->props, props[i]);
	/* Ant writes the local time without a zone: xs:dateTime allows that */
	if (localtime_r(&now, &tm))
		strftime(j->timestamp, sizeof(j->timestamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (gethostname(j->hostname, sizeof(j->hostname) - 1) < 0)
		strcpy(j->hostname, "localhost");
	return j;
}

/* Which way the test failed, for <failure type="...">. */
static const char *failure_type(const struct test_result *r)
{
	switch (r->end.kind) {
	case END_TIMEOUT:
		return "timeout";
	case END_SIGNALED:
		return "crash";
	case END_FLOOD:
		return "flood";
	case END_FATAL:
		return "qemu-error";
	case END_LINGER:
		return "no-exit";
	case END_EXEC_FAILED:
		return "exec-failed";
	case END_INTERRUPTED:
		return "interrupted";
	case END_NOT_RUN:
		return "not-run";
	default:
		return r->gout.counts[REPORT_FAIL] ? "assertion" : "status";
	}
}

static void put_line(const char *line, void *arg)
{
	fprintf(arg, "  %s\n", line);
}

/* The failure's text: what TAP's YAML block says, as plain lines. */
static char *failure_body(const struct test_result *r)
{
	const struct guest_output *g = &r->gout;
	unsigned shown = 0;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return xstrdup(r->verdict.reason ? r->verdict.reason : "");
	fprintf(f, "%s\n", r->verdict.reason ? r->verdict.reason : "failed");
	if (r->verdict.have_status)
		fprintf(f, "guest status: %d\n", r->verdict.status);
	if (r->verdict.note)
		fprintf(f, "note: %s\n", r->verdict.note);
	if (g->counts[REPORT_FAIL])
		fputs("failing assertions:\n", f);
	for (size_t i = 0; i < g->n && shown < JUNIT_MAX_FAIL_LINES; i++) {
		if (g->lines[i].kind != REPORT_FAIL)
			continue;
		put_line(g->lines[i].text, f);
		shown++;
	}
	if (shown < g->counts[REPORT_FAIL])
		fprintf(f, "  ... %u more in the log\n", g->counts[REPORT_FAIL] - shown);
	if (g->err_tail.n) {
		fputs("QEMU stderr, last lines:\n", f);
		line_tail_each(&g->err_tail, put_line, f);
	}
	if (g->out_tail.n) {
		fputs("guest output, last lines:\n", f);
		line_tail_each(&g->out_tail, put_line, f);
	}
	if (r->argv.n) {
		fputs("QEMU command line:\n ", f);
		for (size_t i = 0; i < r->argv.n; i++)
			fprintf(f, " %s", r->argv.v[i]);
		fputc('\n', f);
	}
	if (r->log_path)
		fprintf(f, "log: %s\n", r->log_path);
	if (fclose(f) == EOF) {
		free(buf);
		return xstrdup(r->verdict.reason ? r->verdict.reason : "");
	}
	return buf;
}

void junit_add(struct junit *j, const struct test_result *r)
{
	const char *reason = r->verdict.reason ? r->verdict.reason : "";
	struct junit_case *c;

	if (j->n == j->cap) {
		j->cap = j->cap ? 2 * j->cap : 16;
		j->cases = xreallocarray(j->cases, j->cap, sizeof(*j->cases));
	}
	c = &j->cases[j->n++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(r->name);
	c->kind = r->verdict.kind;
	c->accel = r->ran ? accel_name(r->accel) : "none";
	c->secs = r->ran ? r->secs : 0;
	switch (r->verdict.kind) {
	case VERDICT_SKIP:
		c->message = xstrdup(reason);
		break;
	case VERDICT_KNOWN:
		/* TAP's "not ok # TODO": reported, but it fails no build */
		c->message = xasprintf("known failure: %s", reason);
		c->body = failure_body(r);
		break;
	case VERDICT_FAIL:
		c->message = xstrdup(*reason ? reason : "failed");
		c->type = xstrdup(failure_type(r));
		c->body = failure_body(r);
		c->error = r->end.kind == END_INTERRUPTED;
		break;
	case VERDICT_FIXED:
		c->body = xasprintf("passed, yet on the known-failures list: %s\n",
				    reason);
		break;
	case VERDICT_PASS:
		break;
	}
}

/*
 * XML 1.0 text: & < > escaped, and in attributes also " and the line
 * breaks and tabs (which attribute normalisation would turn into blanks).
 * The C0 controls XML 1.0 forbids and bytes that are not UTF-8 become '?':
 * a guest may print anything, the report must stay well-formed.
 */
static void put_xml(FILE *out, const char *str, bool attr)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (attr && *s == '"')
			fputs("&quot;", out);
		else if (attr && (*s == '\n' || *s == '\t' || *s == '\r'))
			fprintf(out, "&#%u;", *s);
		else if (*s == '\r')
			fputs("&#13;", out);
		else if ((*s < 0x20 && *s != '\n' && *s != '\t') || *s == 0x7f || !n)
			fputc('?', out);
		else {
			fwrite(s, 1, n, out);
			s += n;
			continue;
		}
		s++;
	}
}

static void put_attr(FILE *out, const char *name, const char *val)
{
	fprintf(out, " %s=\"", name);
	put_xml(out, val, true);
	fputc('"', out);
}

static void put_property(FILE *out, const char *indent, const char *name,
			 const char *val)
{
	fprintf(out, "%s<property", indent);
	put_attr(out, "name", name);
	put_attr(out, "value", val);
	fputs("/>\n", out);
}

static void put_case(FILE *out, const struct junit *j, const struct junit_case *c)
{
	char secs[32];

	snprintf(secs, sizeof(secs), "%.3f", c->secs);
	fputs("    <testcase", out);
	put_attr(out, "name", c->name);
	put_attr(out, "classname", j->suite);
	fprintf(out, " time=\"%s\">\n", secs);
	fputs("      <properties>\n", out);
	put_property(out, "        ", "accel", c->accel);
	put_property(out, "        ", "duration", secs);
	fputs("      </properties>\n", out);
	switch (c->kind) {
	case VERDICT_SKIP:
	case VERDICT_KNOWN:
		fputs("      <skipped", out);
		put_attr(out, "message", c->message);
		if (!c->body) {
			fputs("/>\n", out);
			break;
		}
		fputc('>', out);
		put_xml(out, c->body, false);
		fputs("</skipped>\n", out);
		break;
	case VERDICT_FAIL:
		fprintf(out, "      <%s", c->error ? "error" : "failure");
		put_attr(out, "message", c->message);
		put_attr(out, "type", c->type);
		fputc('>', out);
		put_xml(out, c->body, false);
		fprintf(out, "</%s>\n", c->error ? "error" : "failure");
		break;
	case VERDICT_FIXED:
		fputs("      <system-out>", out);
		put_xml(out, c->body, false);
		fputs("</system-out>\n", out);
		break;
	case VERDICT_PASS:
		break;
	}
	fputs("    </testcase>\n", out);
}

void junit_set_wall(struct junit *j, double secs)
{
	j->wall = secs;
}

void junit_set_interrupted(struct junit *j, const char *why, size_t not_run)
{
	free(j->interrupted);
	j->interrupted = xasprintf("%s; %zu test%s not run", why, not_run,
				   not_run == 1 ? "" : "s");
}

int junit_write(const struct junit *j, FILE *out)
{
	size_t failures = 0, errors = 0, skipped = 0;
	double total = 0;
	char counts[160];

	for (size_t i = 0; i < j->n; i++) {
		errors += j->cases[i].error;
		failures += j->cases[i].kind == VERDICT_FAIL && !j->cases[i].error;
		skipped += j->cases[i].kind == VERDICT_SKIP ||
			   j->cases[i].kind == VERDICT_KNOWN;
		total += j->cases[i].secs;
	}
	/* the run's wall time: with -j, less than the sum of the tests' */
	if (j->wall >= 0)
		total = j->wall;
	snprintf(counts, sizeof(counts),
		 " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.3f\"",
		 j->n, failures, errors, skipped, total);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", out);
	put_attr(out, "name", "kvm-unit-tests");
	fprintf(out, "%s>\n  <testsuite", counts);
	put_attr(out, "name", j->suite);
	fputs(counts, out);
	put_attr(out, "timestamp", j->timestamp);
	put_attr(out, "hostname", j->hostname);
	fputs(">\n", out);
	if (j->props.n || j->interrupted) {
		fputs("    <properties>\n", out);
		for (size_t i = 0; i < j->props.n; i++) {
			const char *p = j->props.v[i], *eq = strchr(p, '=');
			char *name = xstrndup(p, eq ? (size_t)(eq - p) : strlen(p));

			put_property(out, "      ", name, eq ? eq + 1 : "");
			free(name);
		}
		if (j->interrupted)
			put_property(out, "      ", "interrupted", j->interrupted);
		fputs("    </properties>\n", out);
	}
	for (size_t i = 0; i < j->n; i++)
		put_case(out, j, &j->cases[i]);
	if (j->interrupted) {
		fputs("    <system-err>run ", out);
		put_xml(out, j->interrupted, false);
		fputs("</system-err>\n", out);
	}
	fputs("  </testsuite>\n</testsuites>\n", out);
	if (fflush(out) == EOF || ferror(out)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

void junit_free(struct junit *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->n; i++) {
		free(j->cases[i].name);
		free(j->cases[i].message);
		free(j->cases[i].type);
		free(j->cases[i].body);
	}
	free(j->cases);
	free(j->interrupted);
	strv_free(&j->props);
	free(j->suite);
	free(j);
}
