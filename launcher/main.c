/*
 * kvm-unit-tests: run the guest tests of a unittests.cfg under QEMU and
 * report TAP. The order of main() is that of kvm-unit-tests(1): options,
 * catalog, selection, expectations, accelerator, images, QEMU, run.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "arch.h"
#include "catalog.h"
#include "cfg.h"
#include "cost.h"
#include "exitcode.h"
#include "expect.h"
#include "hostkernel.h"
#include "junit.h"
#include "log.h"
#include "paths.h"
#include "plan.h"
#include "qemu.h"
#include "qemuver.h"
#include "readfile.h"
#include "run.h"
#include "select.h"
#include "strv.h"
#include "tap.h"
#include "xalloc.h"

#ifndef PACKAGE_VERSION
#define PACKAGE_VERSION "unknown"
#endif

#define KVM_DEVICE "/dev/kvm"
#define MAX_JOBS 1024
#define ERRLEN 1024

struct options {
	struct strv patterns;
	struct strv groups;
	struct strv expect;
	bool all;
	bool list;
	bool dry_run;
	bool verbose;
	bool brief;
	bool no_default_expect;
	unsigned jobs;		/* 0: online CPUs */
	enum accel accel;
	enum arch arch;
	const char *qemu;
	const char *images;
	const char *config;
	const char *log_dir;
	const char *junit;
	double timeout_factor;
	unsigned shard_k, shard_n;	/* --shard K/N; 0: all */
	const char *host_kernel;
	const char *host_modules;
	unsigned host_retries;
	bool host_retries_set;
};

static void __attribute__((noreturn, format(printf, 2, 3)))
die(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("kvm-unit-tests: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

static void __attribute__((format(printf, 1, 2))) warn(const char *fmt, ...)
{
	va_list ap;

	fputs("kvm-unit-tests: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char usage_text[] =
	"usage: kvm-unit-tests [-ablnvV] [-g group] [-j jobs] [--accel kvm|tcg|auto]\n"
	"                      [--arch arch] [--qemu path] [--images dir]\n"
	"                      [--config file] [--timeout-factor f] [--log-dir dir]\n"
	"                      [--expect file] [--no-default-expect]\n"
	"                      [--junit file] [--shard k/n]\n"
	"                      [--host-kernel kernel [--host-modules dir]\n"
	"                       [--host-retries n]]\n"
	"                      [test|glob ...]\n";

static void __attribute__((noreturn)) usage(void)
{
	fputs(usage_text, stderr);
	exit(EXIT_USAGE);
}

static void __attribute__((noreturn)) help(void)
{
	printf("%s\n", usage_text);
	fputs("Run kvm-unit-tests guests under QEMU and report TAP on stdout.\n"
	      "\n"
	      "  test|glob ...         tests by unittests.cfg name or shell glob\n"
	      "  -g, --group GROUP     the tests of GROUP (repeatable)\n"
	      "  -a, --all             the default set plus the nodefault tests\n"
	      "  -l, --list            list every test (nodefault ones marked), and\n"
	      "                        why any would be skipped here\n"
	      "  -j, --jobs N          run N tests at once (default: online CPUs)\n"
	      "      --accel ACCEL     kvm, tcg or auto (default: auto, KVM if usable)\n"
	      "      --arch ARCH       guest arch: x86_64, i386, aarch64, arm, ppc64le,\n"
	      "                        ppc64 (big-endian)\n"
	      "                        (default: the host's)\n"
	      "      --qemu PATH       the QEMU to run (default: $QEMU, qemu-system-ARCH)\n"
	      "      --images DIR      where the images are (DIR/ARCH/ or DIR)\n"
	      "      --config FILE     a unittests.cfg to use instead of the built-in one\n"
	      "      --timeout-factor F  multiply every timeout by F\n"
	      "      --log-dir DIR     keep each test's log in DIR\n"
	      "  -v, --verbose         copy guest output to stderr\n"
	      "  -b, --brief           one plain line per test for people, not TAP\n"
	      "  -n, --dry-run         print each QEMU command line, run nothing\n"
	      "      --expect FILE     known failures and skips (repeatable), added to\n"
	      "                        the project's known-failures.md\n"
	      "      --no-default-expect  do not read the project's known-failures.md\n"
	      "      --junit FILE      also write the results to FILE as JUnit XML\n"
	      "      --shard K/N       run part K of N cost-balanced parts of the\n"
	      "                        selection (the same split on every host)\n"
	      "      --host-kernel KERNEL  run the tests under the KVM of the Linux\n"
	      "                        bzImage KERNEL, booted in QEMU (see\n"
	      "                        docs/host-kernel.md)\n"
	      "      --host-modules DIR  KERNEL's modules (default: those of its\n"
	      "                        release beside it or in /lib/modules)\n"
	      "      --host-retries N  boot KERNEL again up to N times after a crash\n"
	      "                        for the tests not yet run (default: 2)\n"
	      "  -V, --version         print the version\n"
	      "  -h, --help            print this help\n"
	      "\n"
	      "Exit status: 0 no failures, 1 some failed, 2 usage or config error,\n"
	      "3 environment (no QEMU, no images, no KVM), 4 the --host-kernel\n"
	      "crashed (and no test failed), 130 interrupted.\n"
	      "See kvm-unit-tests(1) and kvm-unit-tests.cfg(5).\n",
	      stdout);
	exit(EXIT_PASS);
}

enum {
	OPT_ACCEL = 256,
	OPT_ARCH,
	OPT_QEMU,
	OPT_IMAGES,
	OPT_CONFIG,
	OPT_TIMEOUT_FACTOR,
	OPT_LOG_DIR,
	OPT_EXPECT,
	OPT_JUNIT,
	OPT_SHARD,
	OPT_NO_DEFAULT_EXPECT,
	OPT_HOST_KERNEL,
	OPT_HOST_MODULES,
	OPT_HOST_RETRIES,
};

static const struct option long_options[] = {
	{ "group", required_argument, NULL, 'g' },
	{ "all", no_argument, NULL, 'a' },
	{ "list", no_argument, NULL, 'l' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "accel", required_argument, NULL, OPT_ACCEL },
	{ "arch", required_argument, NULL, OPT_ARCH },
	{ "qemu", required_argument, NULL, OPT_QEMU },
	{ "images", required_argument, NULL, OPT_IMAGES },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "timeout-factor", required_argument, NULL, OPT_TIMEOUT_FACTOR },
	{ "log-dir", required_argument, NULL, OPT_LOG_DIR },
	{ "verbose", no_argument, NULL, 'v' },
	{ "brief", no_argument, NULL, 'b' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "expect", required_argument, NULL, OPT_EXPECT },
	{ "no-default-expect", no_argument, NULL, OPT_NO_DEFAULT_EXPECT },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "shard", required_argument, NULL, OPT_SHARD },
	{ "host-kernel", required_argument, NULL, OPT_HOST_KERNEL },
	{ "host-modules", required_argument, NULL, OPT_HOST_MODULES },
	{ "host-retries", required_argument, NULL, OPT_HOST_RETRIES },
	{ "version", no_argument, NULL, 'V' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static unsigned parse_jobs(const char *s)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || n < 1 || n > MAX_JOBS) {
		warn("-j: '%s': want a number from 1 to %d", s, MAX_JOBS);
		usage();
	}
	return (unsigned)n;
}

static unsigned parse_retries(const char *s)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || *s == '-' || n > 100) {
		warn("--host-retries: '%s': want a number from 0 to 100", s);
		usage();
	}
	return (unsigned)n;
}

static double parse_factor(const char *s)
{
	char *end;
	double f;

	errno = 0;
	f = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(f) || f <= 0 || f > 1000) {
		warn("--timeout-factor: '%s': want a number above 0, at most 1000", s);
		usage();
	}
	return f;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	char err[ERRLEN];
	int c, a;

	memset(o, 0, sizeof(*o));
	o->accel = ACCEL_AUTO;
	o->arch = ARCH_NONE;
	o->timeout_factor = 1.0;
	while ((c = getopt_long(argc, argv, "abg:hj:lnvV", long_options, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'g':
			strv_push(&o->groups, optarg);
			break;
		case 'h':
			help();
		case 'j':
			o->jobs = parse_jobs(optarg);
			break;
		case 'l':
			o->list = true;
			break;
		case 'n':
			o->dry_run = true;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'b':
			o->brief = true;
			break;
		case 'V':
			printf("kvm-unit-tests %s\n", PACKAGE_VERSION);
			exit(EXIT_PASS);
		case OPT_ACCEL:
			a = accel_from_name(optarg);
			if (a < 0) {
				warn("--accel: '%s': want kvm, tcg or auto", optarg);
				usage();
			}
			o->accel = (enum accel)a;
			break;
		case OPT_ARCH:
			o->arch = arch_from_name(optarg);
			if (o->arch == ARCH_NONE) {
				warn("--arch: '%s': want one of %s", optarg, arch_all_names());
				usage();
			}
			break;
		case OPT_QEMU:
			o->qemu = optarg;
			break;
		case OPT_IMAGES:
			o->images = optarg;
			break;
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_TIMEOUT_FACTOR:
			o->timeout_factor = parse_factor(optarg);
			break;
		case OPT_LOG_DIR:
			o->log_dir = optarg;
			break;
		case OPT_EXPECT:
			strv_push(&o->expect, optarg);
			break;
		case OPT_NO_DEFAULT_EXPECT:
			o->no_default_expect = true;
			break;
		case OPT_JUNIT:
			o->junit = optarg;
			break;
		case OPT_SHARD:
			if (shard_parse(optarg, &o->shard_k, &o->shard_n, err,
					sizeof(err)) < 0) {
				warn("--shard: %s", err);
				usage();
			}
			break;
		case OPT_HOST_KERNEL:
			o->host_kernel = optarg;
			break;
		case OPT_HOST_MODULES:
			o->host_modules = optarg;
			break;
		case OPT_HOST_RETRIES:
			o->host_retries = parse_retries(optarg);
			o->host_retries_set = true;
			break;
		default:
			usage();
		}
	}
	for (int i = optind; i < argc; i++)
		strv_push(&o->patterns, argv[i]);
	if ((o->host_modules || o->host_retries_set) && !o->host_kernel) {
		warn("--host-modules and --host-retries go with --host-kernel");
		usage();
	}
	if (o->host_kernel && o->dry_run) {
		warn("--host-kernel and --dry-run: choose one");
		usage();
	}
	if (o->host_kernel && o->accel == ACCEL_TCG) {
		warn("--host-kernel runs the tests under KVM: --accel tcg contradicts it");
		usage();
	}
	if (o->list && o->dry_run) {
		warn("--list and --dry-run: choose one");
		usage();
	}
}

static void load_catalog(const struct options *o, struct cfg *cfg)
{
	char err[ERRLEN];
	const char *name, *data;
	size_t len;
	char *buf;

	if (o->config) {
		if (read_file(o->config, CFG_MAX_SIZE, &buf, &len, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "--config %s", err);
		if (cfg_parse(o->config, buf, len, cfg, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "%s", err);
		free(buf);
		return;
	}
	if (catalog_get(arch_family(o->arch), &name, &data, &len) < 0)
		die(EXIT_USAGE, "%s: this build has no tests for it (no %s/unittests.cfg); use --config FILE",
		    arch_name(o->arch), arch_family(o->arch));
	if (cfg_parse(name, data, len, cfg, err, sizeof(err)) < 0)
		die(EXIT_USAGE, "built-in %s", err);
}

/* The project's list (unless --no-default-expect), then each --expect
 * list, which adds to it. An entry of a user's list that names no test of
 * the catalog is a typo or a stale entry: a warning names it. */
/* Whether @e names a test: of --config's catalog, or of the built-in
 * catalog of some arch @e may apply to (one host list serves a farm's
 * arches: an arm entry is no typo in an x86 run). */
static bool entry_names_a_test(const struct options *o, const struct cfg *cfg,
			       const struct expect_entry *e)
{
	char err[ERRLEN];
	const char *name, *data;
	bool found = false;
	size_t len;

	if (o->config)
		return expect_entry_names_a_test(e, cfg);
	for (int a = 0; a < ARCH_COUNT && !found; a++) {
		struct cfg other;

		if (!(e->arches & ARCH_BIT(a)) ||
		    catalog_get(arch_family((enum arch)a), &name, &data, &len) < 0)
			continue;
		if (!strcmp(name, cfg->name)) {
			found = expect_entry_names_a_test(e, cfg);
			continue;
		}
		if (cfg_parse(name, data, len, &other, err, sizeof(err)) < 0)
			continue;
		found = expect_entry_names_a_test(e, &other);
		cfg_free(&other);
	}
	return found;
}

static void load_expectations(const struct options *o, const char *exe_dir,
			      const struct cfg *cfg, struct expect_list *list)
{
	char err[ERRLEN];
	size_t first;
	char *def;

	if (!o->no_default_expect) {
		/* absent (an install without it) is fine */
		def = paths_known_failures(exe_dir);
		if (def && expect_load(def, true, list, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "%s", err);
		free(def);
	}
	first = list->n;
	for (size_t i = 0; i < o->expect.n; i++)
		if (expect_load(o->expect.v[i], false, list, err, sizeof(err)) < 0)
			die(EXIT_USAGE, "--expect %s", err);
	for (size_t i = first; i < list->n; i++)
		if (!entry_names_a_test(o, cfg, &list->v[i]))
			warn("warning: %s: '%s' matches no test of %s", list->v[i].where,
			     list->v[i].test_glob,
			     o->config ? cfg->name : "the built-in catalogs");
}

/* --log-dir DIR or the default, with an <arch>/ folder under it: i386 and
 * x86_64 runs have tests of the same names, and .durations differ. Nothing
 * is created here: only a run that starts tests creates it. */
static char *log_dir_for(const struct options *o, const char *exe_dir,
			 const char **why)
{
	char *base = o->log_dir ? xstrdup(o->log_dir) :
				  paths_default_log_dir(exe_dir, why);
	char *dir;

	if (!base)
		return NULL;
	dir = xasprintf("%s/%s", base, arch_name(o->arch));
	free(base);
	return dir;
}

/* The facts an expect list's WHERE conditions test besides arch and accel:
 * the running kernel's version (uname -r: inside --host-kernel, the kernel
 * under test) and what that kernel runs on ($KUT_OUTER_ACCEL). */
static void host_facts(struct expect_host *h)
{
	const char *outer = getenv("KUT_OUTER_ACCEL");
	struct utsname u;
	int o;

	memset(h, 0, sizeof(*h));
	if (uname(&u) == 0)
		h->kernel_parts = version_parse(u.release, h->kernel, NULL);
	if (outer && *outer) {
		o = expect_outer_from_name(outer);
		if (o < 0)
			die(EXIT_USAGE, "KUT_OUTER_ACCEL: '%s': want none, tcg or kvm", outer);
		h->outer = (enum expect_outer)o;
	}
}

/* The QEMU version, when an expect entry asks for it: cached in the log
 * folder (created later, if at all: the cache is saved after the run). */
static void qemu_version_fact(const struct qemu *q, const char *cache_dir,
			      struct qemu_version *ver, struct expect_host *h)
{
	char why[ERRLEN];

	if (qemu_version_get(q->path, cache_dir, ver, why, sizeof(why)) < 0) {
		warn("note: QEMU version unknown (%s): expect entries with qemu conditions do not apply",
		     why);
		return;
	}
	memcpy(h->qemu, ver->v, sizeof(h->qemu));
	h->qemu_parts = ver->parts;
}

static int exit_status(const struct run_summary *sum)
{
	if (sum->interrupted)
		return EXIT_INTERRUPTED;
	return sum->failed || sum->output_error ? EXIT_FAILED : EXIT_PASS;
}

static void junit_collect(const struct test_result *r, void *arg)
{
	junit_add(arg, r);
}

/* --junit: the file is opened before anything runs, so that a bad path
 * costs no test time. */
static struct junit *junit_open(const struct options *o, FILE **out)
{
	char *suite, *props[3];
	struct junit *j;

	*out = fopen(o->junit, "w");
	if (!*out)
		die(EXIT_USAGE, "--junit %s: %s", o->junit, strerror(errno));
	suite = xasprintf("kvm-unit-tests.%s", arch_name(o->arch));
	props[0] = xasprintf("arch=%s", arch_name(o->arch));
	/* --host-kernel: KVM, that of the kernel booted (hostkernel.h) */
	props[1] = xasprintf("accel=%s", o->host_kernel ? "kvm" : accel_name(o->accel));
	props[2] = xasprintf("version=%s", PACKAGE_VERSION);
	j = junit_new(suite, (const char *const *)props, 3);
	for (int i = 0; i < 3; i++)
		free(props[i]);
	free(suite);
	return j;
}

/* The -bios of the arch's preferred firmware (arch.h), or NULL for QEMU's
 * own; says once when the fast one is missing. */
static char *find_firmware(const struct arch_info *info, const struct qemu *q,
			   const char *images, size_t runnable)
{
	char *rom;

	switch (info->firmware) {
	case ARCH_FW_QBOOT:
		rom = qemu_find_qboot(q);
		if (!rom && runnable)
			warn("note: no qboot.rom (package qemu-system-data); %s tests boot through QEMU's default firmware, which is slower",
			     info->name);
		return rom;
	case ARCH_FW_IMAGE_ROM:
		if (!images)
			return NULL;
		rom = xasprintf("%s/%s", images, info->rom);
		if (access(rom, R_OK) == 0)
			return rom;
		if (runnable)
			warn("note: no %s: %s tests boot through QEMU's default firmware, which is slower",
			     rom, info->name);
		free(rom);
		return NULL;
	default:
		return NULL;
	}
}

/* --host-kernel: the KVM under test is inside the guest this launcher
 * boots; the same launcher runs there with these options. */
static int run_host_kernel(const struct options *o, const struct selection *sel,
			   const char *exe_dir)
{
	struct hostkernel_opts hk = { 0 };
	struct timespec t0, t1;
	struct junit *junit = NULL;
	FILE *junit_out = NULL;
	char err[ERRLEN], *log_dir, *exe;
	const char *no_log_why = NULL;
	double *timeouts;
	char **names;
	int status;

	exe = realpath("/proc/self/exe", NULL);
	if (!exe)
		die(EXIT_ENV, "/proc/self/exe: %s", strerror(errno));
	names = xcalloc(sel->n + 1, sizeof(*names));
	timeouts = xcalloc(sel->n + 1, sizeof(*timeouts));
	for (size_t i = 0; i < sel->n; i++) {
		names[i] = sel->tests[i]->name;
		timeouts[i] = sel->tests[i]->timeout > 0 ? sel->tests[i]->timeout :
			      CFG_DEFAULT_TIMEOUT;
	}
	/* the base folder: the launcher inside adds <arch>/ itself */
	log_dir = o->log_dir ? xstrdup(o->log_dir) :
			       paths_default_log_dir(exe_dir, &no_log_why);
	if (!log_dir && no_log_why)
		warn("no log folder: %s; no logs kept (give --log-dir DIR)", no_log_why);
	if (log_dir && log_prepare_dir(log_dir, err, sizeof(err)) < 0) {
		warn("log folder %s; no logs kept", err);
		free(log_dir);
		log_dir = NULL;
	}
	hk.kernel = o->host_kernel;
	hk.modules = o->host_modules;
	hk.retries = o->host_retries_set ? o->host_retries : HOSTKERNEL_DEFAULT_RETRIES;
	hk.log_dir = log_dir;
	hk.exe = exe;
	hk.exe_dir = exe_dir;
	hk.verbose = o->verbose;
	hk.names = names;
	hk.n = sel->n;
	hk.timeouts = timeouts;
	hk.timeout_factor = o->timeout_factor;
	strv_push(&hk.inner_args, "--arch");
	strv_push(&hk.inner_args, arch_name(o->arch));
	if (o->jobs) {
		strv_push(&hk.inner_args, "-j");
		strv_push_owned(&hk.inner_args, xasprintf("%u", o->jobs));
	}
	if (o->verbose)
		strv_push(&hk.inner_args, "-v");
	if (o->config) {
		strv_push(&hk.inner_args, "--config");
		strv_push(&hk.inner_args, o->config);
	}
	for (size_t i = 0; i < o->expect.n; i++) {
		strv_push(&hk.inner_args, "--expect");
		strv_push(&hk.inner_args, o->expect.v[i]);
	}
	if (o->images) {
		strv_push(&hk.inner_args, "--images");
		strv_push(&hk.inner_args, o->images);
	}
	if (o->qemu) {
		strv_push(&hk.inner_args, "--qemu");
		strv_push(&hk.inner_args, o->qemu);
	}
	signal(SIGPIPE, SIG_IGN);
	if (o->junit)
		junit = junit_open(o, &junit_out);
	hk.tap = stdout;
	hk.style = o->brief ? TAP_BRIEF : TAP_FULL;
	hk.junit = junit;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	status = hostkernel_run(&hk);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (junit) {
		junit_set_wall(junit, (double)(t1.tv_sec - t0.tv_sec) +
				      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		bool bad = junit_write(junit, junit_out) < 0;

		if (fclose(junit_out) == EOF || bad) {
			warn("--junit %s: %s", o->junit, strerror(errno));
			if (status == EXIT_PASS)
				status = EXIT_FAILED;
		}
		junit_free(junit);
	}
	strv_free(&hk.inner_args);
	free(names);
	free(timeouts);
	free(log_dir);
	free(exe);
	return status;
}

/* Inside --host-kernel: the outer launcher learns from these lines which
 * tests were running when its guest died, and which had finished but whose
 * results were still held back for the order of the TAP (hostkernel.c). */
static void announce(const char *event, const char *name, void *arg)
{
	dprintf((int)(intptr_t)arg, "%s %s\n", event, name);
}

int main(int argc, char **argv)
{
	struct options o;
	struct cfg cfg;
	struct selection sel;
	struct expect_list expect = { 0 };
	struct plan_env env = { 0 };
	struct run_opts ropts = { 0 };
	struct run_summary sum;
	struct qemu qemu = { 0 };
	struct strv tried = { 0 };
	struct run_item *items = NULL;
	struct junit *junit = NULL;
	FILE *junit_out = NULL;
	struct durations durations = { 0 };
	struct timespec t0, t1;
	size_t *order = NULL;
	char err[ERRLEN], kvm_why[ERRLEN] = "";
	char *exe_dir, *images = NULL, *bios = NULL, *log_dir = NULL;
	char qemu_err[ERRLEN] = "";
	const char *no_log_why = NULL;
	struct expect_host host;
	struct qemu_version qver = { 0 };
	bool have_qemu;
	size_t runnable = 0, need_images = 0;
	long cpus;
	int status;

	parse_options(argc, argv, &o);
	if (o.arch == ARCH_NONE && (o.arch = arch_host()) == ARCH_NONE)
		die(EXIT_USAGE, "unknown host arch: give --arch (%s)", arch_all_names());
	exe_dir = paths_exe_dir();

	load_catalog(&o, &cfg);
	/* --list shows every test (nodefault ones marked) unless told which */
	if (select_tests(&cfg, &o.patterns, &o.groups, o.all || o.list, &sel, err,
			 sizeof(err)) < 0)
		die(EXIT_USAGE, "%s", err);
	if (o.shard_n)
		shard_select(&sel, o.shard_k, o.shard_n);
	load_expectations(&o, exe_dir, &cfg, &expect);
	if (o.host_kernel && !o.list) {
		status = run_host_kernel(&o, &sel, exe_dir);
		goto out;
	}
	log_dir = log_dir_for(&o, exe_dir, &no_log_why);
	have_qemu = qemu_find(o.qemu, o.arch, arch_host(), &qemu, qemu_err,
			      sizeof(qemu_err)) == 0;
	host_facts(&host);
	if (have_qemu && expect.uses_qemu)
		qemu_version_fact(&qemu, log_dir, &qver, &host);
	expect_set_host(&expect, &host);
	env.outer = host.outer;

	env.arch = o.arch;
	env.accel = o.accel;
	if (o.accel != ACCEL_TCG)
		env.kvm_ok = accel_kvm_usable(arch_host(), o.arch,
					      getenv("KUT_KVM_DEVICE") ?
					      getenv("KUT_KVM_DEVICE") : KVM_DEVICE,
					      kvm_why, sizeof(kvm_why));
	env.kvm_why = kvm_why;
	if (o.accel == ACCEL_KVM && !env.kvm_ok)
		die(EXIT_ENV, "--accel kvm: %s", kvm_why);

	images = paths_images(o.images, o.arch, exe_dir, &tried);
	env.images = images;
	env.expect = &expect;
	env.timeout_factor = o.timeout_factor;
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	env.online_cpus = cpus > 0 ? (unsigned)cpus : 1;

	items = xcalloc(sel.n, sizeof(*items));
	/* a folder given is one that should hold the images */
	env.arch_built = paths_arch_built(o.arch) || o.images ||
			 (getenv("KUT_IMAGES") && *getenv("KUT_IMAGES"));
	for (size_t i = 0; i < sel.n; i++) {
		plan_item(&env, sel.tests[i], &items[i]);
		runnable += !items[i].skip;
		need_images += items[i].image_missing;
	}
	if (o.list) {
		plan_print_list(stdout, items, sel.n);
		status = fflush(stdout) ? EXIT_FAILED : EXIT_PASS;
		goto out;
	}
	/* no image at all: the environment is wrong, not each test */
	if (need_images && !runnable && !images) {
		char *t = strv_join(&tried, ", ");

		die(EXIT_ENV, "no images for %s: tried %s (build them, or give --images DIR)",
		    arch_name(o.arch), t);
	}
	if (need_images && !runnable)
		die(EXIT_ENV, "no images for %s in %s: none of the %zu selected tests' images is there",
		    arch_name(o.arch), images, need_images);
	if (runnable && !have_qemu)
		die(EXIT_ENV, "%s", qemu_err);
	bios = find_firmware(arch_info(o.arch), &qemu, images, runnable);
	if (o.accel == ACCEL_AUTO && !env.kvm_ok && runnable)
		warn("note: KVM not usable (%s); running under TCG", kvm_why);
	env.qemu = &qemu;
	env.bios = bios;
	for (size_t i = 0; i < sel.n; i++)
		plan_argv(&env, &items[i]);
	if (o.dry_run) {
		plan_print_dry_run(stdout, items, sel.n);
		status = fflush(stdout) ? EXIT_FAILED : EXIT_PASS;
		goto out;
	}

	if (!log_dir)
		warn("no log folder: %s; no logs kept (give --log-dir DIR)", no_log_why);
	if (log_dir && log_prepare_dir(log_dir, err, sizeof(err)) < 0) {
		warn("log folder %s; no logs kept", err);
		free(log_dir);
		log_dir = NULL;
	}
	if (log_dir && qver.probed && qemu_version_save(qemu.path, log_dir, &qver) < 0)
		warn("%s/%s: %s", log_dir, QEMUVER_CACHE_FILE, strerror(errno));
	/* a closed stdout is a write error to report, not a silent death
	 * that would leave the QEMUs running */
	signal(SIGPIPE, SIG_IGN);
	if (o.junit)
		junit = junit_open(&o, &junit_out);
	ropts = (struct run_opts){
		.jobs = o.jobs ? o.jobs : env.online_cpus,
		.output_cap = RUN_OUTPUT_CAP,
		.verbose = o.verbose,
		.progress = !o.verbose,
		.log_dir = log_dir,
		.qemu_base = qemu.base,
		.tap = stdout,
		.style = o.brief ? TAP_BRIEF : TAP_FULL,
		.on_result = junit ? junit_collect : NULL,
		.on_result_arg = junit,
	};
	if (getenv("KUT_START_FD")) {
		int fd = atoi(getenv("KUT_START_FD"));

		/* the tests' QEMUs need not inherit it */
		if (fd > 2 && fcntl(fd, F_SETFD, FD_CLOEXEC) >= 0) {
			ropts.on_event = announce;
			ropts.on_event_arg = (void *)(intptr_t)fd;
		}
	}
	durations_load(log_dir, &durations);
	ropts.order = order = cost_run_order(items, sel.n, &durations);
	tap_begin(stdout, ropts.style, sel.n);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_all(items, sel.n, &ropts, &sum);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!sum.output_error) {
		tap_summary(stdout, sel.n, &sum.counts);
		if (fflush(stdout) == EOF)
			sum.output_error = true;
	}
	durations_record(&durations, items, sel.n);
	if (log_dir && durations_save(log_dir, &durations) < 0)
		warn("%s/%s: %s", log_dir, COST_DURATIONS_FILE, strerror(errno));
	if (sum.output_error) {
		const struct tap_counts *c = &sum.counts;

		warn("standard output closed: stopped, %zu of %zu tests not run",
		     sel.n - (c->passed + c->failed + c->skipped + c->known + c->fixed),
		     sel.n);
	}
	status = exit_status(&sum);
	if (junit) {
		bool bad;

		junit_set_wall(junit, (double)(t1.tv_sec - t0.tv_sec) +
					      (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		if (sum.interrupted) {
			const struct tap_counts *c = &sum.counts;
			size_t done = c->passed + c->failed + c->skipped +
				      c->known + c->fixed;
			char why[64];

			snprintf(why, sizeof(why), "interrupted by SIG%s",
				 sigabbrev_np(sum.signal) ? sigabbrev_np(sum.signal) : "?");
			junit_set_interrupted(junit, why, sel.n - done);
		}
		bad = junit_write(junit, junit_out) < 0;

		if (fclose(junit_out) == EOF || bad) {
			warn("--junit %s: %s", o.junit, strerror(errno));
			if (status == EXIT_PASS)
				status = EXIT_FAILED;
		}
		junit_free(junit);
	}
out:
	durations_free(&durations);
	free(order);
	for (size_t i = 0; items && i < sel.n; i++)
		plan_item_free(&items[i]);
	free(items);
	free(log_dir);
	free(bios);
	free(images);
	free(exe_dir);
	qemu_free(&qemu);
	strv_free(&tried);
	expect_free(&expect);
	selection_free(&sel);
	cfg_free(&cfg);
	strv_free(&o.patterns);
	strv_free(&o.groups);
	strv_free(&o.expect);
	return status;
}
