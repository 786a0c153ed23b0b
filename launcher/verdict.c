#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "verdict.h"
#include "xalloc.h"

static const struct {
	const char *prefix;
	enum report_kind kind;
} report_prefixes[] = {
	{ "PASS: ", REPORT_PASS },
	{ "FAIL: ", REPORT_FAIL },
	{ "SKIP: ", REPORT_SKIP },
	{ "XFAIL: ", REPORT_XFAIL },
	{ "XPASS: ", REPORT_XPASS },
	{ "INFO: ", REPORT_INFO },
};

#define EXIT_LINE_PREFIX "EXIT: STATUS="
/* lib/exit.c's abort(): the test stopped part way (DESIGN.md, "Exit"). */
#define ABORT_LINE_PREFIX "ABORT: "

/* Stderr lines after which QEMU will not finish by itself: KVM stops the VM
 * and QEMU waits for a monitor that is not there. */
static const char *const fatal_patterns[] = {
	"KVM internal error",
	"emulation failure",
	"KVM: entry failed",
	"qemu: fatal:",
	"qemu: hardware error",
};

const char *report_kind_name(enum report_kind k)
{
	for (size_t i = 0; i < sizeof(report_prefixes) / sizeof(report_prefixes[0]); i++)
		if (report_prefixes[i].kind == k)
			return report_prefixes[i].prefix;
	return "";
}

static void tail_push(struct line_tail *t, const char *line)
{
	free(t->v[t->next]);
	t->v[t->next] = xstrndup(line, GUEST_MAX_LINE);
	t->next = (t->next + 1) % GUEST_TAIL_LINES;
	if (t->n < GUEST_TAIL_LINES)
		t->n++;
}

void line_tail_each(const struct line_tail *t, void (*fn)(const char *, void *),
		    void *arg)
{
	size_t start = (t->next + GUEST_TAIL_LINES - t->n) % GUEST_TAIL_LINES;

	for (size_t i = 0; i < t->n; i++)
		fn(t->v[(start + i) % GUEST_TAIL_LINES], arg);
}

static void tail_free(struct line_tail *t)
{
	for (size_t i = 0; i < GUEST_TAIL_LINES; i++)
		free(t->v[i]);
	memset(t, 0, sizeof(*t));
}

static int parse_status(const char *s, int *status)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	end += strspn(end, " \t");
	if (*end || v > 0x7fffffff)
		return -1;
	*status = (int)v;
	return 0;
}

void guest_output_line(struct guest_output *g, const char *line)
{
	size_t len;

	tail_push(&g->out_tail, line);
	if (!strncmp(line, EXIT_LINE_PREFIX, strlen(EXIT_LINE_PREFIX))) {
		int status;

		/* the first one counts: the guest prints it once, last */
		if (!g->have_exit_line &&
		    !parse_status(line + strlen(EXIT_LINE_PREFIX), &status)) {
			g->have_exit_line = true;
			g->exit_status = status;
		}
		return;
	}
	if (!strncmp(line, ABORT_LINE_PREFIX, strlen(ABORT_LINE_PREFIX)))
		g->aborted = true;
	for (size_t i = 0; i < sizeof(report_prefixes) / sizeof(report_prefixes[0]); i++) {
		const char *text;

		if (strncmp(line, report_prefixes[i].prefix,
			    strlen(report_prefixes[i].prefix)))
			continue;
		text = line + strlen(report_prefixes[i].prefix);
		g->counts[report_prefixes[i].kind]++;
		len = strnlen(text, GUEST_MAX_LINE);
		if (g->n >= GUEST_MAX_REPORT_LINES ||
		    g->bytes + len > GUEST_MAX_REPORT_BYTES) {
			g->dropped++;
			return;
		}
		if (g->n == g->cap) {
			g->cap = g->cap ? g->cap * 2 : 64;
			g->lines = xreallocarray(g->lines, g->cap, sizeof(*g->lines));
		}
		g->lines[g->n].kind = report_prefixes[i].kind;
		g->lines[g->n].text = xstrndup(text, len);
		g->lines[g->n].known = NULL;
		g->n++;
		g->bytes += len;
		return;
	}
}

void guest_stderr_line(struct guest_output *g, const char *line)
{
	tail_push(&g->err_tail, line);
}

void guest_output_free(struct guest_output *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->lines[i].text);
	free(g->lines);
	tail_free(&g->out_tail);
	tail_free(&g->err_tail);
	memset(g, 0, sizeof(*g));
}

static bool is_warning_word(const char *s)
{
	return !strncmp(s, "warning:", 8) || !strncmp(s, "info:", 5);
}

/* @msg follows "<qemu>: ". While QEMU parses an option it reports with the
 * option as location: "-accel kvm: warning: ..." (error_report's location
 * is the option and its argument, then ": "); a warning there is still a
 * warning, e.g. KVM's "Number of SMP cpus requested (4) exceeds the
 * recommended cpus supported by KVM (2)". */
static bool qemu_line_is_warning(const char *msg)
{
	const char *p;

	if (is_warning_word(msg))
		return true;
	if (*msg != '-')
		return false;
	for (p = strstr(msg, ": "); p; p = strstr(p + 2, ": "))
		if (is_warning_word(p + 2))
			return true;
	return false;
}

bool qemu_fatal_line(const char *qemu_base, const char *line)
{
	size_t blen = qemu_base ? strlen(qemu_base) : 0;

	for (size_t i = 0; i < sizeof(fatal_patterns) / sizeof(fatal_patterns[0]); i++)
		if (strstr(line, fatal_patterns[i]))
			return true;
	/* "<qemu>: message" is error_report(); warn_report() adds "warning:"
	 * and info_report() "info:". */
	if (blen && !strncmp(line, qemu_base, blen) && !strncmp(line + blen, ": ", 2))
		return !qemu_line_is_warning(line + blen + 2);
	return false;
}

/* The guest's status per DESIGN.md "Exit": from the exit device where it is
 * unambiguous, else from the EXIT line. Returns 0, or -1 with *why. */
static int guest_status(const struct guest_output *g, const struct run_end *end,
			const struct verdict_ctx *ctx, int *status, char **why,
			char **note)
{
	int c = end->code;

	switch (end->kind) {
	case END_LINGER:
		*status = g->exit_status;
		*note = xstrdup("QEMU did not exit after the EXIT line and was killed");
		return 0;
	case END_EXITED:
		break;
	case END_SIGNALED:
		*why = xasprintf("QEMU killed by signal %d (%s)", c, strsignal(c));
		return -1;
	case END_TIMEOUT:
		*why = xasprintf("timeout after %gs", end->timeout);
		return -1;
	case END_FLOOD:
		*why = xasprintf("output flood: more than %zu bytes", end->cap);
		return -1;
	case END_FATAL:
	case END_EXEC_FAILED:
		*why = xstrdup(end->detail ? end->detail : "QEMU failed");
		return -1;
	default:
		*why = xstrdup(end->detail ? end->detail : "interrupted");
		return -1;
	}
	/* isa-debug-exit: QEMU exits (n << 1) | 1; 1 is also QEMU's own error
	 * status, so it only counts when the EXIT line agrees. */
	if (ctx->exit_device && (c & 1) && c > 1) {
		*status = c >> 1;
		if (g->have_exit_line && g->exit_status != *status)
			*note = xasprintf("EXIT line says %d, exit device %d: the device counts",
					  g->exit_status, *status);
		return 0;
	}
	if (g->have_exit_line) {
		*status = g->exit_status;
		if (ctx->exit_device && c != 1)
			*note = xasprintf("QEMU exited %d, not through the exit device", c);
		return 0;
	}
	if (c == 0)
		*why = xstrdup("no EXIT line and QEMU exited 0: the guest reset or stopped early");
	else if (g->err_tail.n)	/* QEMU's last word says why, e.g. a bad image */
		*why = xasprintf("no EXIT line and QEMU exited %d: %s", c,
				 g->err_tail.v[(g->err_tail.next + GUEST_TAIL_LINES - 1) %
					       GUEST_TAIL_LINES]);
	else
		*why = xasprintf("no EXIT line and QEMU exited %d", c);
	return -1;
}

static char *first_line_of(const struct guest_output *g, enum report_kind k)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->lines[i].kind == k)
			return g->lines[i].text;
	return NULL;
}

static char *last_line_of(const struct guest_output *g, enum report_kind k)
{
	for (size_t i = g->n; i-- > 0;)
		if (g->lines[i].kind == k)
			return g->lines[i].text;
	return NULL;
}

static char *failure_reason(const struct guest_output *g)
{
	unsigned nfail = g->counts[REPORT_FAIL], nxpass = g->counts[REPORT_XPASS];
	const char *first = first_line_of(g, REPORT_FAIL);

	if (nfail && first)
		return xasprintf("%u assertion%s failed, first: %s", nfail,
				 nfail == 1 ? "" : "s", first);
	if (nfail)
		return xasprintf("%u assertion%s failed", nfail, nfail == 1 ? "" : "s");
	first = first_line_of(g, REPORT_XPASS);
	return xasprintf("%u unexpected pass%s%s%s", nxpass, nxpass == 1 ? "" : "es",
			 first ? ", first: " : "", first ? first : "");
}

/* An aborted test: its last console line before ABORT usually says why
 * (an unhandled exception, a failed assert). */
static char *aborted_reason(const struct guest_output *g)
{
	const struct line_tail *t = &g->out_tail;
	size_t start = (t->next + GUEST_TAIL_LINES - t->n) % GUEST_TAIL_LINES;
	unsigned reported = 0;
	const char *why = NULL;

	for (int k = 0; k < REPORT_KINDS; k++)
		if (k != REPORT_INFO)
			reported += g->counts[k];
	for (size_t i = 0; i < t->n; i++) {
		const char *l = t->v[(start + i) % GUEST_TAIL_LINES];

		if (!strncmp(l, ABORT_LINE_PREFIX, strlen(ABORT_LINE_PREFIX)))
			break;
		why = l;
	}
	return xasprintf("the guest aborted after %u report line%s%s%s", reported,
			 reported == 1 ? "" : "s", why && *why ? ": " : "",
			 why && *why ? why : "");
}

/* Marks the FAIL (and PASS) lines an expect entry covers; true when all
 * FAIL lines, kept or not, are covered. Fills @reasons with the distinct
 * reasons of the covered FAIL lines. */
static bool mark_known_assertions(struct guest_output *g,
				  const struct verdict_ctx *ctx,
				  struct strv *reasons)
{
	unsigned known = 0;

	for (size_t i = 0; i < g->n; i++) {
		struct report_line *l = &g->lines[i];
		bool dup = false;

		if (l->kind != REPORT_FAIL && l->kind != REPORT_PASS)
			continue;
		l->known = expect_find_assert_fail(ctx->expect, ctx->test, ctx->arch,
						   ctx->accel, l->text);
		if (!l->known || l->kind == REPORT_PASS)
			continue;
		known++;
		for (size_t r = 0; r < reasons->n; r++)
			dup |= !strcmp(reasons->v[r], l->known->reason);
		if (!dup)
			strv_push(reasons, l->known->reason);
	}
	return known == g->counts[REPORT_FAIL];
}

void verdict_decide(struct guest_output *g, const struct run_end *end,
		    const struct verdict_ctx *ctx, struct verdict *v)
{
	const struct expect_entry *whole = NULL;
	struct strv reasons = { 0 };
	bool all_known, normal_end;
	char *why = NULL;
	int status = 0;

	memset(v, 0, sizeof(*v));
	normal_end = !guest_status(g, end, ctx, &status, &why, &v->note);
	if (normal_end) {
		v->have_status = true;
		v->status = status;
	}

	if (!normal_end) {
		v->kind = VERDICT_FAIL;
		v->reason = why;
	} else if (g->aborted) {
		/* whatever it reported before, the rest never ran */
		v->kind = VERDICT_FAIL;
		v->reason = aborted_reason(g);
	} else if (g->counts[REPORT_FAIL] || g->counts[REPORT_XPASS]) {
		v->kind = VERDICT_FAIL;
		v->reason = failure_reason(g);
	} else if (status == GUEST_STATUS_SKIP) {
		const char *last = last_line_of(g, REPORT_SKIP);

		v->kind = VERDICT_SKIP;
		/* a bare "SKIP: " says nothing: a skip must say why */
		v->reason = last && *last ? xstrdup(last)
				 : xasprintf("the guest skipped (status %d)", status);
	} else if (status) {
		v->kind = VERDICT_FAIL;
		v->reason = xasprintf("exit status %d", status);
	} else if (g->counts[REPORT_SKIP] &&
		   g->counts[REPORT_SKIP] == g->counts[REPORT_PASS] +
			   g->counts[REPORT_SKIP] + g->counts[REPORT_XFAIL]) {
		v->kind = VERDICT_SKIP;
		v->reason = xasprintf("all %u assertions skipped, last: %s",
				      g->counts[REPORT_SKIP],
				      last_line_of(g, REPORT_SKIP) ?
					      last_line_of(g, REPORT_SKIP) : "?");
	} else {
		v->kind = VERDICT_PASS;
	}

	if (!ctx->expect)
		return;
	whole = expect_find_test_fail(ctx->expect, ctx->test, ctx->arch, ctx->accel);
	all_known = mark_known_assertions(g, ctx, &reasons);
	if (v->kind == VERDICT_FAIL && whole) {
		v->kind = VERDICT_KNOWN;
		free(v->note);
		v->note = xasprintf("%s (known failure, %s)", v->reason, whole->where);
		free(v->reason);
		v->reason = xstrdup(whole->reason);
	} else if (v->kind == VERDICT_FAIL && normal_end && !g->aborted && all_known &&
		   g->counts[REPORT_FAIL] && !g->counts[REPORT_XPASS] &&
		   (status == 0 || status == 1)) {
		/* 1 is what report_summary() returns for failures */
		v->kind = VERDICT_KNOWN;
		free(v->note);
		v->note = v->reason;
		v->reason = strv_join(&reasons, "; ");
	} else if (v->kind == VERDICT_FAIL && normal_end && !g->aborted &&
		   g->counts[REPORT_FAIL] && !all_known) {
		/* some failures are known: the reason names the first one
		 * that is not, which is what a reader has to look at */
		unsigned unknown = 0;
		const char *first = NULL;

		for (size_t i = 0; i < g->n; i++)
			if (g->lines[i].kind == REPORT_FAIL && !g->lines[i].known) {
				unknown++;
				first = first ? first : g->lines[i].text;
			}
		if (first && unknown < g->counts[REPORT_FAIL]) {
			free(v->reason);
			v->reason = xasprintf("%u assertion%s failed (and %u known), first: %s",
					      unknown, unknown == 1 ? "" : "s",
					      g->counts[REPORT_FAIL] - unknown, first);
		}
	} else if (v->kind == VERDICT_PASS && whole) {
		/* TAP's "ok # TODO": the fix shows, the entry is due for removal */
		v->kind = VERDICT_FIXED;
		free(v->note);
		v->note = xasprintf("passed although on the expect list (%s)", whole->where);
		v->reason = xstrdup(whole->reason);
	}
	strv_free(&reasons);
}

void verdict_free(struct verdict *v)
{
	free(v->reason);
	free(v->note);
	memset(v, 0, sizeof(*v));
}

void run_end_free(struct run_end *end)
{
	free(end->detail);
	end->detail = NULL;
}
