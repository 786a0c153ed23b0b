/*
 * libFuzzer harness for the guest-output parser and the verdict
 * (launcher/verdict.c) and the TAP lines made from it (launcher/tap.c),
 * built by `make fuzz` (fuzz/fuzz.mk).
 *
 * Input: a 4-byte header, then what QEMU wrote, one line per '\n':
 *   byte 0    how QEMU ended (enum run_end_kind, modulo its count)
 *   bytes 1-2 QEMU's exit status or signal, little endian
 *   byte 3    bit 0: the arch has an exit device; bit 1: KVM, else TCG
 *   lines     a line that starts with byte 0x01 is QEMU's stderr (the byte
 *             dropped), any other the guest's console
 * Lines are delivered as launcher/run.c does: a NUL becomes '?', trailing
 * '\r's go. Whatever the guest prints, the result must be one TAP test point
 * whose every other line is indented (a subtest or the YAML block), with no
 * control character but the newlines.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "result.h"
#include "tap.h"
#include "verdict.h"

#define FUZZ_HEADER 4
#define FUZZ_STDERR_MARK '\001'

/* Globs and words like the ones of docs/known-failures.md, so the expect
 * matching runs against the fuzzed report lines. */
static const char fuzz_expect[] =
	"fail \"fuzz/fuzz: known*\" * a known failure\n"
	"fail \"fuzz/*[0-9]?: b*\" accel=tcg another one\n"
	"fail \"fuzz/[!a]*\\\\*\" accel=kvm,arch=x86_64 escapes\n";

static struct expect_list expect;

static void check_tap(const char *buf, size_t len)
{
	const char *s = buf, *end = buf + len;
	unsigned points = 0;

	if (!len || buf[len - 1] != '\n')
		abort();
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		for (const char *c = s; c < nl; c++)
			if ((unsigned char)*c < 0x20 && *c != '\t')
				abort();
		if (*s != ' ') {
			if (strncmp(s, "ok 1 - fuzz", 11) && strncmp(s, "not ok 1 - fuzz", 15))
				abort();
			points++;
		}
		s = nl + 1;
	}
	if (points != 1)
		abort();
}

static void deliver(struct guest_output *g, char *line, size_t len)
{
	bool err = len && line[0] == FUZZ_STDERR_MARK;

	for (size_t i = 0; i < len; i++)
		if (!line[i])
			line[i] = '?';
	line[len] = '\0';
	while (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (err) {
		guest_stderr_line(g, line + 1);
		qemu_fatal_line("qemu-system-x86_64", line + 1);
	} else {
		guest_output_line(g, line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct test_result r;
	struct verdict_ctx ctx = { .test = "fuzz", .arch = ARCH_X86_64, .expect = &expect };
	char err[256], *copy, *s, *end, *tap = NULL;
	size_t taplen = 0;
	FILE *out;

	if (!expect.n && expect_parse("fuzz-expect", fuzz_expect, sizeof(fuzz_expect) - 1,
				      false, &expect, err, sizeof(err)) < 0)
		abort();
	if (size < FUZZ_HEADER)
		return 0;
	memset(&r, 0, sizeof(r));
	r.name = "fuzz";
	r.ran = true;
	r.secs = 0.5;
	r.end.kind = (enum run_end_kind)(data[0] % (END_INTERRUPTED + 1));
	r.end.code = data[1] | data[2] << 8;
	r.end.timeout = 180;
	r.end.cap = 16u << 20;
	if (r.end.kind == END_FATAL || r.end.kind == END_EXEC_FAILED)
		r.end.detail = strdup("qemu-system-x86_64: fuzzed failure");
	ctx.exit_device = data[3] & 1;
	ctx.accel = data[3] & 2 ? ACCEL_KVM : ACCEL_TCG;
	r.accel = ctx.accel;

	copy = malloc(size - FUZZ_HEADER + 1);
	if (!copy)
		return 0;
	memcpy(copy, data + FUZZ_HEADER, size - FUZZ_HEADER);
	end = copy + (size - FUZZ_HEADER);
	for (s = copy; s < end;) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t len = nl ? (size_t)(nl - s) : (size_t)(end - s);

		deliver(&r.gout, s, len);
		s += len + 1;
	}
	free(copy);

	verdict_decide(&r.gout, &r.end, &ctx, &r.verdict);
	if (r.verdict.kind != VERDICT_PASS && r.verdict.kind != VERDICT_FIXED &&
	    (!r.verdict.reason || !*r.verdict.reason))
		abort();
	out = open_memstream(&tap, &taplen);
	if (!out)
		abort();
	tap_result(out, 1, &r);
	fclose(out);
	check_tap(tap, taplen);
	free(tap);
	test_result_free(&r);
	return 0;
}
