/* Unit tests of the unittests.cfg parser (launcher/cfg.c). */
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>

#include "cfg.h"
#include "readfile.h"
#include "unit-harness.h"

static char err[1024];

static int parse(const char *text, struct cfg *cfg)
{
	err[0] = '\0';
	return cfg_parse("t.cfg", text, strlen(text), cfg, err, sizeof(err));
}

/* The error a malformed text gives, which must name t.cfg and a line. */
static const char *error_of(const char *text)
{
	struct cfg cfg;

	if (parse(text, &cfg) == 0) {
		cfg_free(&cfg);
		return "(parsed fine)";
	}
	return err;
}

static void cfg_parses_every_key(void)
{
	struct cfg cfg;
	const struct cfg_test *t;

	EXPECT_INT(parse("[apic]\n"
			 "file = apic.flat\n"
			 "smp = 2\n"
			 "extra_params = -cpu qemu64,+x2apic -machine kernel_irqchip=split\n"
			 "test_args = one two\n"
			 "groups = apic interrupts\n"
			 "arch = x86_64\n"
			 "accel = kvm\n"
			 "timeout = 30\n"
			 "check = /sys/module/kvm/parameters/enable_pmu=Y\n"
			 "disabled_if = accel=tcg\n"
			 "machine = q35\n"
			 "kvmtool_params = --irqchip=gicv3\n", &cfg), 0);
	EXPECT_STR(err, "");
	EXPECT_INT(cfg.ntests, 1);
	t = cfg_find(&cfg, "apic");
	EXPECT(t != NULL, "no [apic]");
	if (!t)
		return;
	EXPECT_STR(t->file, "apic.flat");
	EXPECT_INT(t->smp, 2);
	EXPECT_INT(t->extra.n, 4);
	EXPECT_STR(t->extra.v[1], "qemu64,+x2apic");
	EXPECT_INT(t->append.n, 2);
	EXPECT_STR(t->append.v[1], "two");
	EXPECT_INT(t->groups.n, 2);
	EXPECT(cfg_test_in_group(t, "interrupts"), "not in interrupts");
	EXPECT_INT(t->arches, ARCH_BIT(ARCH_X86_64));
	EXPECT_INT(t->accel, ACCEL_KVM);
	EXPECT(t->timeout == 30.0, "timeout %g", t->timeout);
	EXPECT_INT(t->nchecks, 1);
	EXPECT_STR(t->checks[0].path, "/sys/module/kvm/parameters/enable_pmu");
	EXPECT_STR(t->checks[0].want, "Y");
	EXPECT_INT(t->ndisabled_if, 1);
	EXPECT_STR(t->machine, "q35");
	EXPECT(!t->nodefault, "nodefault set");
	EXPECT(!t->needs_shell, "needs_shell set");
	cfg_free(&cfg);
}

static void cfg_defaults_smp_to_one_and_timeout_to_default(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\n", &cfg), 0);
	EXPECT_INT(cfg.tests[0].smp, 1);
	EXPECT(cfg.tests[0].timeout == 0, "timeout %g", cfg.tests[0].timeout);
	EXPECT_INT(cfg.tests[0].arches, 0);
	EXPECT_INT(cfg.tests[0].accel, ACCEL_AUTO);
	cfg_free(&cfg);
}

static void cfg_accepts_qemu_params_as_alias(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\nqemu_params = -m 512\n", &cfg), 0);
	EXPECT_INT(cfg.tests[0].extra.n, 2);
	EXPECT_STR(cfg.tests[0].extra.v[1], "512");
	cfg_free(&cfg);
}

static void cfg_rejects_extra_params_and_qemu_params_together(void)
{
	EXPECT_STR(error_of("[a]\nfile = a.flat\nextra_params = -m 1\nqemu_params = -m 2\n"),
		   "t.cfg:4: key 'qemu_params': duplicate of 'extra_params' at line 3");
}

/* The forms of upstream's x86, arm and powerpc unittests.cfg, in a snippet
 * written for this test. */
static void cfg_parses_upstream_forms(void)
{
	static const char text[] =
		"##############################################\n"
		"# a header comment, with [brackets] = and quotes '\n"
		"##############################################\n"
		"\n"
		"[selftest-setup]\n"
		"file = selftest.flat\n"
		"smp = 2\n"
		"extra_params = -m 256 -append 'setup smp=2 mem=256'\n"
		"groups = selftest\n"
		"\n"
		"# a comment before a section\n"
		"[smp-max]\n"
		"file = selftest.flat\n"
		"smp = $MAX_SMP\n"
		"extra_params = -append 'smp'\n"
		"\n"
		"[smp-getconf]\n"
		"file = selftest.flat\n"
		"smp = `getconf _NPROCESSORS_CONF`\n"
		"\n"
		"[threads]\n"
		"file = tm.elf\n"
		"machine = pseries\n"
		"accel = kvm\n"
		"smp = 2,threads=2\n"
		"extra_params = -machine cap-htm=on -append \"h_cede_tm\"\n"
		"\n"
		"[vmx]\n"
		"file = vmx.flat\n"
		"extra_params = -cpu max,+vmx -append \"-exit_monitor_from_l2_test -ept_access* -vmx_smp*\"\n"
		"arch = x86_64\n"
		"groups = vmx nested_exception\n"
		"timeout = 90s\n"
		"\n"
		"[pmu_lbr]\n"
		"file = pmu_lbr.flat\n"
		"extra_params = -cpu host,migratable=no\n"
		"check = /sys/module/kvm/parameters/ignore_msrs=N\n"
		"check = /proc/sys/kernel/nmi_watchdog=0\n"
		"\n"
		"[two-checks]\n"
		"file = x.flat\n"
		"check = /a=1 /b=2\n"
		"\n"
		"[kvmclock_test]\n"
		"file = kvmclock_test.flat\n"
		"smp = 2\n"
		"extra_params = --append \"10000000 `date +%s`\"\n"
		"\n"
		"[rtas]\n"
		"file = rtas.elf\n"
		"timeout = 5\n"
		"extra_params = -rtc base=\"2006-06-17\" -append \"get-time-of-day date=$(date --date=\"2006-06-17 UTC\" +%s)\"\n"
		"\n"
		"[its-migration]\n"
		"file = gic.flat\n"
		"smp = $MAX_SMP\n"
		"test_args = its-migration\n"
		"qemu_params = -machine gic-version=3\n"
		"kvmtool_params = --irqchip=gicv3\n"
		"groups = its migration\n"
		"disabled_if = [[ \"$TARGET\" != qemu ]]\n"
		"arch = arm64\n"
		"\n"
		"#[init]\n"
		"#file = init.flat\n"
		"\n"
		"[sprs-migration]\n"
		"file = sprs.elf\n"
		"extra_params = -append '-w'\n"
		"groups = migration\n"
		"timeout = 2m\n";
	const struct cfg_test *t;
	struct cfg cfg;

	EXPECT_INT(parse(text, &cfg), 0);
	EXPECT_STR(err, "");
	EXPECT_INT(cfg.ntests, 11);
	if (cfg.ntests != 11)
		return;
	t = cfg_find(&cfg, "selftest-setup");
	EXPECT_INT(t->extra.n, 2);
	EXPECT_INT(t->append.n, 1);
	EXPECT_STR(t->append.v[0], "setup smp=2 mem=256");
	EXPECT_INT(cfg_find(&cfg, "smp-max")->smp, 0);
	EXPECT_INT(cfg_find(&cfg, "smp-getconf")->smp, 0);
	t = cfg_find(&cfg, "threads");
	EXPECT_INT(t->smp, 2);
	EXPECT_STR(t->smp_topology, ",threads=2");
	EXPECT_STR(t->machine, "pseries");
	EXPECT_STR(t->append.v[0], "h_cede_tm");
	t = cfg_find(&cfg, "vmx");
	EXPECT_STR(t->append.v[0], "-exit_monitor_from_l2_test -ept_access* -vmx_smp*");
	EXPECT(t->timeout == 90.0, "timeout %g", t->timeout);
	EXPECT_INT(cfg_find(&cfg, "pmu_lbr")->nchecks, 2);
	EXPECT_INT(cfg_find(&cfg, "two-checks")->nchecks, 2);
	t = cfg_find(&cfg, "kvmclock_test");
	EXPECT_HAS(t->needs_shell, "`date +%s`");
	t = cfg_find(&cfg, "rtas");
	EXPECT_HAS(t->needs_shell, "$(date");
	EXPECT_STR(t->extra.v[1], "base=2006-06-17");
	t = cfg_find(&cfg, "its-migration");
	EXPECT_INT(t->arches, ARCH_BIT(ARCH_AARCH64));
	EXPECT_STR(t->append.v[0], "its-migration");
	EXPECT_INT(t->ndisabled_if, 1);
	EXPECT(!cfg_find(&cfg, "init"), "commented-out [init] parsed");
	EXPECT(cfg_find(&cfg, "sprs-migration")->timeout == 120.0, "2m");
	cfg_free(&cfg);
}

static void cfg_puts_test_args_before_extra_params_append(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\nextra_params = -append 'x y'\ntest_args = \"a b\" c\n",
			 &cfg), 0);
	EXPECT_INT(cfg.tests[0].append.n, 3);
	EXPECT_STR(cfg.tests[0].append.v[0], "a b");
	EXPECT_STR(cfg.tests[0].append.v[1], "c");
	EXPECT_STR(cfg.tests[0].append.v[2], "x y");
	cfg_free(&cfg);
}

static void cfg_test_args_are_words_with_the_quotes_removed(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\ntest_args = smp=2 'two  words' \"say \\\"hi\\\"\" '\"q\"'\n",
			 &cfg), 0);
	EXPECT_INT(cfg.tests[0].append.n, 4);
	EXPECT_STR(cfg.tests[0].append.v[0], "smp=2");
	EXPECT_STR(cfg.tests[0].append.v[1], "two  words");
	EXPECT_STR(cfg.tests[0].append.v[2], "say \"hi\"");
	EXPECT_STR(cfg.tests[0].append.v[3], "\"q\"");
	cfg_free(&cfg);
}

static void cfg_empty_file_has_no_tests(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("", &cfg), 0);
	EXPECT_INT(cfg.ntests, 0);
	cfg_free(&cfg);
}

static void cfg_comments_only_file_has_no_tests(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("# nothing\n\n   # indented\n\t\n", &cfg), 0);
	EXPECT_INT(cfg.ntests, 0);
	cfg_free(&cfg);
}

static void cfg_accepts_crlf_line_endings(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\r\nfile = a.flat\r\nsmp = 3\r\n", &cfg), 0);
	EXPECT_STR(cfg.tests[0].file, "a.flat");
	EXPECT_INT(cfg.tests[0].smp, 3);
	cfg_free(&cfg);
}

static void cfg_accepts_last_line_without_newline(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat", &cfg), 0);
	EXPECT_STR(cfg.tests[0].file, "a.flat");
	cfg_free(&cfg);
}

static void cfg_strips_comment_after_value_but_not_in_quotes(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat # the image\ntest_args = 'x #y' # z\n", &cfg), 0);
	EXPECT_STR(cfg.tests[0].file, "a.flat");
	EXPECT_INT(cfg.tests[0].append.n, 1);
	EXPECT_STR(cfg.tests[0].append.v[0], "x #y");
	cfg_free(&cfg);
}

static void cfg_nodefault_group_keeps_test_out_of_default_set(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\ngroups = slow nodefault\n", &cfg), 0);
	EXPECT(cfg.tests[0].nodefault, "nodefault not set");
	EXPECT(cfg_test_in_group(&cfg.tests[0], "nodefault"), "not in group nodefault");
	cfg_free(&cfg);
}

static void cfg_allows_empty_extra_params_test_args_and_groups(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\nextra_params =\ntest_args = \ngroups =\n", &cfg), 0);
	EXPECT_INT(cfg.tests[0].extra.n, 0);
	EXPECT_INT(cfg.tests[0].append.n, 0);
	cfg_free(&cfg);
}

static void cfg_accepts_timeout_suffixes(void)
{
	static const struct {
		const char *text;
		double secs;
	} cases[] = {
		{ "45", 45 }, { "90s", 90 }, { "2m", 120 }, { "1.5m", 90 },
		{ "1h", 3600 }, { "1d", 86400 }, { "0.5", 0.5 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[128];
		struct cfg cfg;

		snprintf(text, sizeof(text), "[a]\nfile = a.flat\ntimeout = %s\n", cases[i].text);
		EXPECT_INT(parse(text, &cfg), 0);
		if (cfg.ntests)
			EXPECT(cfg.tests[0].timeout == cases[i].secs, "%s: got %g, want %g",
			       cases[i].text, cfg.tests[0].timeout, cases[i].secs);
		cfg_free(&cfg);
	}
}

static void cfg_rejects_unknown_key(void)
{
	EXPECT_STR(error_of("[a]\nfile = a.flat\nfoo = 1\n"), "t.cfg:3: key 'foo': unknown key");
}

static void cfg_rejects_duplicate_section(void)
{
	EXPECT_STR(error_of("[a]\nfile = a.flat\n\n[a]\nfile = b.flat\n"),
		   "t.cfg:4: duplicate section [a] (first at line 1)");
}

static void cfg_rejects_duplicate_key(void)
{
	EXPECT_STR(error_of("[a]\nfile = a.flat\nsmp = 2\nsmp = 3\n"),
		   "t.cfg:4: key 'smp': duplicate (first at line 3)");
}

static void cfg_allows_repeated_check_and_disabled_if(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\ncheck = /a=1\ncheck = /b=2\n"
			 "disabled_if = accel=tcg\ndisabled_if = arch=i386\n", &cfg), 0);
	EXPECT_INT(cfg.tests[0].nchecks, 2);
	EXPECT_INT(cfg.tests[0].ndisabled_if, 2);
	cfg_free(&cfg);
}

static void cfg_rejects_bad_smp(void)
{
	static const char *const bad[] = { "0", "-1", "two", "2x", "99999", "$FOO", "2,", "2,a b" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];

		snprintf(text, sizeof(text), "[a]\nfile = a.flat\nsmp = %s\n", bad[i]);
		EXPECT_HAS(error_of(text), "t.cfg:3: key 'smp': bad number");
	}
}

static void cfg_rejects_bad_timeout(void)
{
	static const char *const bad[] = { "0", "-5", "5x", "s", "1e999", "90 s", "nan" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];

		snprintf(text, sizeof(text), "[a]\nfile = a.flat\ntimeout = %s\n", bad[i]);
		EXPECT_HAS(error_of(text), "t.cfg:3: key 'timeout': bad duration");
	}
}

static void cfg_rejects_missing_bracket(void)
{
	EXPECT_STR(error_of("[a\nfile = a.flat\n"), "t.cfg:1: missing ']'");
}

static void cfg_rejects_text_after_bracket(void)
{
	EXPECT_STR(error_of("[a] junk\nfile = a.flat\n"), "t.cfg:1: unexpected 'junk' after ']'");
}

static void cfg_accepts_comment_after_bracket(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]   # the a test\nfile = a.flat\n", &cfg), 0);
	cfg_free(&cfg);
}

static void cfg_rejects_bad_section_name(void)
{
	EXPECT_HAS(error_of("[a b]\nfile = a.flat\n"), "t.cfg:1: bad test name 'a b'");
	EXPECT_HAS(error_of("[]\nfile = a.flat\n"), "t.cfg:1: bad test name ''");
	EXPECT_HAS(error_of("[a/b]\nfile = a.flat\n"), "t.cfg:1: bad test name 'a/b'");
}

static void cfg_rejects_unterminated_quote(void)
{
	EXPECT_STR(error_of("[a]\nfile = a.flat\nextra_params = -append 'x y\n"),
		   "t.cfg:3: key 'extra_params': unterminated ' quote");
	EXPECT_STR(error_of("[a]\nfile = a.flat\ntest_args = \"x\n"),
		   "t.cfg:3: key 'test_args': unterminated \" quote");
}

static void cfg_rejects_append_without_argument(void)
{
	EXPECT_STR(error_of("[a]\nfile = a.flat\nextra_params = -m 1 -append\n"),
		   "t.cfg:3: key 'extra_params': -append without an argument");
}

static void cfg_rejects_key_outside_section(void)
{
	EXPECT_STR(error_of("file = a.flat\n[a]\nfile = a.flat\n"),
		   "t.cfg:1: key 'file': outside any [section]");
}

static void cfg_rejects_section_without_file(void)
{
	EXPECT_STR(error_of("[a]\nsmp = 2\n[b]\nfile = b.flat\n"), "t.cfg:1: [a]: no 'file' key");
	EXPECT_STR(error_of("[a]\nfile = a.flat\n[b]\n"), "t.cfg:3: [b]: no 'file' key");
}

static void cfg_rejects_line_without_equals(void)
{
	EXPECT_HAS(error_of("[a]\nfile a.flat\n"), "t.cfg:2: expected 'key = value'");
}

static void cfg_rejects_missing_key(void)
{
	EXPECT_STR(error_of("[a]\n= a.flat\n"), "t.cfg:2: missing key before '='");
}

static void cfg_rejects_empty_required_value(void)
{
	EXPECT_STR(error_of("[a]\nfile =\n"), "t.cfg:2: key 'file': empty value");
	EXPECT_STR(error_of("[a]\nfile = a\nsmp =   \n"), "t.cfg:3: key 'smp': empty value");
}

static void cfg_rejects_unknown_arch(void)
{
	EXPECT_HAS(error_of("[a]\nfile = a.flat\narch = sparc\n"),
		   "t.cfg:3: key 'arch': unknown arch 'sparc'");
}

static void cfg_arch_ppc64_means_both_byte_orders(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.elf\narch = ppc64\n"
			 "[b]\nfile = b.elf\narch = ppc64le\n", &cfg), 0);
	EXPECT_INT(cfg.tests[0].arches,
		   ARCH_BIT(ARCH_PPC64) | ARCH_BIT(ARCH_PPC64LE));
	EXPECT_INT(cfg.tests[1].arches, ARCH_BIT(ARCH_PPC64LE));
	cfg_free(&cfg);
}

static void cfg_rejects_unknown_accel(void)
{
	EXPECT_STR(error_of("[a]\nfile = a.flat\naccel = hvf\n"),
		   "t.cfg:3: key 'accel': unknown accelerator 'hvf' (want kvm or tcg, with ,options)");
}

static void cfg_rejects_bad_check(void)
{
	EXPECT_HAS(error_of("[a]\nfile = a.flat\ncheck = enable_pmu=Y\n"),
		   "t.cfg:3: key 'check': bad precondition 'enable_pmu=Y'");
	EXPECT_HAS(error_of("[a]\nfile = a.flat\ncheck = /sys/x\n"),
		   "t.cfg:3: key 'check': bad precondition '/sys/x'");
}

static void cfg_rejects_bad_disabled_if(void)
{
	EXPECT_HAS(error_of("[a]\nfile = a.flat\ndisabled_if = color=red\n"),
		   "t.cfg:3: key 'disabled_if': unknown variable 'color'");
	EXPECT_HAS(error_of("[a]\nfile = a.flat\ndisabled_if = tcg\n"),
		   "t.cfg:3: key 'disabled_if': cannot read 'tcg'");
}

static void cfg_rejects_bad_group_name(void)
{
	EXPECT_HAS(error_of("[a]\nfile = a.flat\ngroups = ok b@d\n"),
		   "t.cfg:3: key 'groups': bad group name 'b@d'");
}

static void cfg_rejects_blanks_in_file(void)
{
	EXPECT_HAS(error_of("[a]\nfile = a b.flat\n"), "t.cfg:2: key 'file': blanks in");
}

static void cfg_rejects_binary_garbage(void)
{
	static const char nul[] = "[a]\nfile = a\0.flat\n";
	static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0";
	struct cfg cfg;

	EXPECT_INT(cfg_parse("t.cfg", nul, sizeof(nul) - 1, &cfg, err, sizeof(err)), -1);
	EXPECT_STR(err, "t.cfg:2: binary data (byte 0x00), not a cfg file");
	EXPECT_INT(cfg_parse("t.cfg", elf, sizeof(elf) - 1, &cfg, err, sizeof(err)), -1);
	EXPECT_STR(err, "t.cfg:1: binary data (byte 0x7f), not a cfg file");
}

static void cfg_rejects_one_mebibyte_line(void)
{
	size_t len = 1 << 20;
	char *text = malloc(len + 16);
	struct cfg cfg;

	if (!text)
		return;
	memcpy(text, "[a]\nfile = ", 11);
	memset(text + 11, 'x', len);
	EXPECT_INT(cfg_parse("t.cfg", text, len + 11, &cfg, err, sizeof(err)), -1);
	EXPECT_STR(err, "t.cfg:2: line too long (1048583 bytes, at most 4096)");
	free(text);
}

static void cfg_rejects_file_over_size_limit(void)
{
	size_t len = CFG_MAX_SIZE + 1;
	char *text = malloc(len);
	struct cfg cfg;

	if (!text)
		return;
	memset(text, '\n', len);
	EXPECT_INT(cfg_parse("t.cfg", text, len, &cfg, err, sizeof(err)), -1);
	EXPECT_HAS(err, "t.cfg: too large");
	free(text);
}

/* Random bytes and mutated cfg text: always 0 or -1 with "t.cfg:" first,
 * never a crash (ASan/valgrind runs of this test catch the rest). */
static void cfg_survives_random_input(void)
{
	static const char seed_text[] =
		"[a]\nfile = a.flat\nsmp = 2\nextra_params = -append 'x \"y\"'\n"
		"groups = g nodefault\ncheck = /a=1\ndisabled_if = [[ \"$TARGET\" != qemu ]]\n";
	static const char alphabet[] = "[]=#'\"\\ \t\n$`(){},;|&!*?axs0129";
	uint32_t state = 12345;
	unsigned bad = 0;

	for (int round = 0; round < 3000; round++) {
		char text[sizeof(seed_text)];
		struct cfg cfg;
		int r;

		memcpy(text, seed_text, sizeof(text));
		for (int k = 0; k < 1 + round % 8; k++) {
			state = state * 1103515245u + 12345u;
			size_t pos = (state >> 8) % (sizeof(text) - 1);

			state = state * 1103515245u + 12345u;
			text[pos] = round % 5 ? alphabet[(state >> 8) % (sizeof(alphabet) - 1)]
					      : (char)(state >> 16);
		}
		r = cfg_parse("t.cfg", text, sizeof(text) - 1, &cfg, err, sizeof(err));
		if (r == 0)
			cfg_free(&cfg);
		else if (strncmp(err, "t.cfg:", 6))
			bad++;
	}
	EXPECT_INT(bad, 0);
}

/* Every arch's unittests.cfg in the source tree (make check exports
 * top_srcdir) parses. */
static void cfg_parses_every_unittests_cfg_in_the_tree(void)
{
	const char *top = getenv("top_srcdir");
	struct dirent *de;
	unsigned found = 0;
	DIR *d;

	if (!top || !(d = opendir(top))) {
		printf("# top_srcdir unset or unreadable: nothing to check\n");
		return;
	}
	while ((de = readdir(d))) {
		char path[4096];
		struct cfg cfg;
		size_t len;
		char *buf;

		snprintf(path, sizeof(path), "%s/%s/unittests.cfg", top, de->d_name);
		if (read_file(path, CFG_MAX_SIZE, &buf, &len, err, sizeof(err)) < 0)
			continue;
		found++;
		EXPECT(cfg_parse(path, buf, len, &cfg, err, sizeof(err)) == 0, "%s", err);
		EXPECT(cfg.ntests > 0, "%s has no tests", path);
		cfg_free(&cfg);
		free(buf);
	}
	closedir(d);
	printf("# %u unittests.cfg files parsed\n", found);
}

static void cfg_takes_firmware_qboot_or_default(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\n"
			 "[b]\nfile = b.flat\nfirmware = default\n"
			 "[c]\nfile = c.flat\nfirmware = qboot\n", &cfg), 0);
	EXPECT_INT(cfg_find(&cfg, "a")->firmware, CFG_FIRMWARE_QBOOT);
	EXPECT_INT(cfg_find(&cfg, "b")->firmware, CFG_FIRMWARE_DEFAULT);
	EXPECT_INT(cfg_find(&cfg, "c")->firmware, CFG_FIRMWARE_QBOOT);
	cfg_free(&cfg);
	EXPECT_HAS(error_of("[a]\nfile = a.flat\nfirmware = seabios\n"),
		   "t.cfg:3: key 'firmware': unknown firmware 'seabios'");
}

/* issue 16 item 17: upstream files parse unchanged */
static void cfg_evaluates_smp_arithmetic_over_max_smp(void)
{
	static const char text[] =
		"[capped]\n"
		"file = a.flat\n"
		"smp = $((($MAX_SMP < 8)?$MAX_SMP:8))\n"
		"[halved]\n"
		"file = a.flat\n"
		"smp = $(( ${MAX_SMP} / 2 ))\n";
	struct cfg cfg;
	char why[256];

	EXPECT_INT(parse(text, &cfg), 0);
	if (cfg.ntests != 2)
		return;
	EXPECT_STR(cfg.tests[0].smp_expr, "$((($MAX_SMP < 8)?$MAX_SMP:8))");
	EXPECT_INT(cfg_test_smp(&cfg.tests[0], 4, why, sizeof(why)), 4);
	EXPECT_INT(cfg_test_smp(&cfg.tests[0], 32, why, sizeof(why)), 8);
	EXPECT_INT(cfg_test_smp(&cfg.tests[1], 6, why, sizeof(why)), 3);
	/* one CPU: 1 / 2 is 0 vCPUs, which no test can run with */
	EXPECT_INT(cfg_test_smp(&cfg.tests[1], 1, why, sizeof(why)), 0);
	EXPECT_HAS(why, "gives 0 (want 1 to");
	cfg_free(&cfg);
}

static void cfg_rejects_bad_smp_arithmetic(void)
{
	EXPECT_HAS(error_of("[a]\nfile = a.flat\nsmp = $(($MAX_SMP +))\n"),
		   "t.cfg:3: key 'smp': bad expression");
	EXPECT_HAS(error_of("[a]\nfile = a.flat\nsmp = $(($HOME))\n"),
		   "unknown variable");
}

static void cfg_keeps_accelerator_options(void)
{
	struct cfg cfg;

	EXPECT_INT(parse("[a]\nfile = a.flat\naccel = tcg,thread=single\n"
			 "[b]\nfile = a.flat\naccel = kvm\n", &cfg), 0);
	if (cfg.ntests != 2)
		return;
	EXPECT_INT(cfg.tests[0].accel, ACCEL_TCG);
	EXPECT_STR(cfg.tests[0].accel_opts, ",thread=single");
	EXPECT(cfg.tests[1].accel_opts == NULL, "options on plain kvm");
	cfg_free(&cfg);
	EXPECT_HAS(error_of("[a]\nfile = a.flat\naccel = tcg,\n"), "empty options");
	EXPECT_HAS(error_of("[a]\nfile = a.flat\naccel = tcg,a;b\n"), "bad character ';'");
	EXPECT_HAS(error_of("[a]\nfile = a.flat\naccel = hvf,x=1\n"), "unknown accelerator");
}

int main(void)
{
	RUN(cfg_evaluates_smp_arithmetic_over_max_smp);
	RUN(cfg_rejects_bad_smp_arithmetic);
	RUN(cfg_keeps_accelerator_options);
	RUN(cfg_parses_every_key);
	RUN(cfg_defaults_smp_to_one_and_timeout_to_default);
	RUN(cfg_accepts_qemu_params_as_alias);
	RUN(cfg_rejects_extra_params_and_qemu_params_together);
	RUN(cfg_parses_upstream_forms);
	RUN(cfg_puts_test_args_before_extra_params_append);
	RUN(cfg_test_args_are_words_with_the_quotes_removed);
	RUN(cfg_empty_file_has_no_tests);
	RUN(cfg_comments_only_file_has_no_tests);
	RUN(cfg_accepts_crlf_line_endings);
	RUN(cfg_accepts_last_line_without_newline);
	RUN(cfg_strips_comment_after_value_but_not_in_quotes);
	RUN(cfg_nodefault_group_keeps_test_out_of_default_set);
	RUN(cfg_allows_empty_extra_params_test_args_and_groups);
	RUN(cfg_accepts_timeout_suffixes);
	RUN(cfg_rejects_unknown_key);
	RUN(cfg_rejects_duplicate_section);
	RUN(cfg_rejects_duplicate_key);
	RUN(cfg_allows_repeated_check_and_disabled_if);
	RUN(cfg_rejects_bad_smp);
	RUN(cfg_rejects_bad_timeout);
	RUN(cfg_rejects_missing_bracket);
	RUN(cfg_rejects_text_after_bracket);
	RUN(cfg_accepts_comment_after_bracket);
	RUN(cfg_rejects_bad_section_name);
	RUN(cfg_rejects_unterminated_quote);
	RUN(cfg_rejects_append_without_argument);
	RUN(cfg_rejects_key_outside_section);
	RUN(cfg_rejects_section_without_file);
	RUN(cfg_rejects_line_without_equals);
	RUN(cfg_rejects_missing_key);
	RUN(cfg_rejects_empty_required_value);
	RUN(cfg_rejects_unknown_arch);
	RUN(cfg_arch_ppc64_means_both_byte_orders);
	RUN(cfg_rejects_unknown_accel);
	RUN(cfg_rejects_bad_check);
	RUN(cfg_rejects_bad_disabled_if);
	RUN(cfg_rejects_bad_group_name);
	RUN(cfg_rejects_blanks_in_file);
	RUN(cfg_rejects_binary_garbage);
	RUN(cfg_rejects_one_mebibyte_line);
	RUN(cfg_rejects_file_over_size_limit);
	RUN(cfg_survives_random_input);
	RUN(cfg_parses_every_unittests_cfg_in_the_tree);
	RUN(cfg_takes_firmware_qboot_or_default);
	return unit_done();
}
