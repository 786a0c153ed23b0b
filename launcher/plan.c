#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "migrate.h"
#include "plan.h"
#include "shellwords.h"
#include "xalloc.h"

#define CHECK_MAX_READ 4096

static void skip(struct run_item *it, char *reason)
{
	it->skip = true;
	it->res.verdict.kind = VERDICT_SKIP;
	it->res.verdict.reason = reason;
}

/* Not started, and a failure. */
static void missing(struct run_item *it, char *reason)
{
	it->skip = true;
	it->image_missing = true;
	it->res.verdict.kind = VERDICT_FAIL;
	it->res.verdict.reason = reason;
}

static char *arch_list(unsigned mask)
{
	struct strv names = { 0 };
	char *s;

	for (int a = 0; a < ARCH_COUNT; a++)
		if (mask & ARCH_BIT(a))
			strv_push(&names, arch_name((enum arch)a));
	s = strv_join(&names, " or ");
	strv_free(&names);
	return s;
}

/* The accelerator this test runs with, or a reason it cannot run. */
static enum accel pick_accel(const struct plan_env *env,
			     const struct cfg_test *t, char **why)
{
	switch (env->accel) {
	case ACCEL_KVM:
		if (t->accel == ACCEL_TCG)
			*why = xstrdup("needs TCG (cfg accel = tcg), --accel kvm given");
		return ACCEL_KVM;
	case ACCEL_TCG:
		if (t->accel == ACCEL_KVM)
			*why = xstrdup("needs KVM (cfg accel = kvm), --accel tcg given");
		return ACCEL_TCG;
	default:
		if (t->accel == ACCEL_TCG)
			return ACCEL_TCG;
		if (t->accel == ACCEL_KVM && !env->kvm_ok)
			*why = xasprintf("needs KVM (cfg accel = kvm): %s", env->kvm_why);
		return env->kvm_ok ? ACCEL_KVM : ACCEL_TCG;
	}
}

/* The first line of @path against @want; NULL when it holds. */
static char *check_unmet(const struct cfg_check *c)
{
	char buf[CHECK_MAX_READ];
	size_t len;
	FILE *f = fopen(c->path, "re");

	if (!f)
		return xasprintf("check: %s: %s (want '%s')", c->path,
				 strerror(errno), c->want);
	len = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[len] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	while (len && (buf[strlen(buf) - 1] == ' ' || buf[strlen(buf) - 1] == '\t'))
		buf[strlen(buf) - 1] = '\0', len--;
	if (!strcmp(buf, c->want))
		return NULL;
	return xasprintf("check: %s holds '%s', want '%s'", c->path, buf, c->want);
}

static char *image_path(const struct plan_env *env, const struct cfg_test *t)
{
	if (t->file[0] == '/')
		return xstrdup(t->file);
	if (!env->images)
		return NULL;
	return xasprintf("%s/%s", env->images, t->file);
}

void plan_item(const struct plan_env *env, const struct cfg_test *t,
	       struct run_item *it)
{
	struct qemu_run run = { .arch = env->arch };
	const struct expect_entry *e;
	char *why = NULL, *image, why_smp[256];
	struct stat st;
	double timeout;

	memset(it, 0, sizeof(*it));
	it->test = t;
	it->res.name = t->name;
	it->res.accel = ACCEL_AUTO;
	it->res.outer = env->outer;
	if (t->arches && !(t->arches & ARCH_BIT(env->arch))) {
		char *want = arch_list(t->arches);

		skip(it, xasprintf("arch: needs %s, running %s", want,
				   arch_name(env->arch)));
		free(want);
		return;
	}
	run.accel = pick_accel(env, t, &why);
	if (why)
		return skip(it, why);
	it->res.accel = run.accel;
	e = expect_find_skip(env->expect, t->name, env->arch, run.accel);
	if (e)
		return skip(it, xasprintf("%s (%s)", e->reason, e->where));
	for (size_t i = 0; i < t->ndisabled_if; i++)
		if (cond_eval(&t->disabled_if[i], arch_name(env->arch),
			      accel_name(run.accel)))
			return skip(it, xasprintf("disabled_if: %s",
						  t->disabled_if[i].text));
	if (t->needs_shell)
		return skip(it, xasprintf("needs a shell to expand %s, which kvm-unit-tests never runs",
					  t->needs_shell));
	for (size_t i = 0; i < t->nchecks; i++)
		if ((why = check_unmet(&t->checks[i])))
			return skip(it, why);
	image = image_path(env, t);
	if (!image && !env->arch_built)
		return skip(it, xasprintf("image %s: this build left out %s (configure built no %s guests)",
					  t->file, arch_name(env->arch),
					  arch_name(env->arch)));
	if (!image)
		return missing(it, xasprintf("image %s: no images folder for %s",
					     t->file, arch_name(env->arch)));
	if (stat(image, &st) < 0) {
		/* a test the catalog has for this arch whose image is not
		 * there: a broken install or build, never a green run */
		missing(it, xasprintf("image %s: %s", image, strerror(errno)));
		free(image);
		return;
	}
	timeout = t->timeout > 0 ? t->timeout : CFG_DEFAULT_TIMEOUT;
	timeout *= env->timeout_factor;
	if (run.accel == ACCEL_TCG)
		timeout *= PLAN_TCG_TIMEOUT_FACTOR;
	it->timeout = timeout;
	it->smp = cfg_test_smp(t, env->online_cpus, why_smp, sizeof(why_smp));
	if (!it->smp) {
		/* the catalog's own expression is wrong: a failure to see */
		missing(it, xstrdup(why_smp));
		it->image_missing = false;
		free(image);
		return;
	}
	it->image = image;
	it->vctx = (struct verdict_ctx){
		.test = t->name,
		.arch = env->arch,
		.accel = run.accel,
		.exit_device = arch_info(env->arch)->exit == ARCH_EXIT_DEVICE,
		.expect = env->expect,
	};
}

void plan_argv(const struct plan_env *env, struct run_item *it)
{
	struct qemu_run run = {
		.arch = env->arch,
		.accel = it->res.accel,
		.smp = it->smp,
		.image = it->image,
		.bios = it->test->firmware == CFG_FIRMWARE_QBOOT ? env->bios : NULL,
	};

	if (!it->skip && env->qemu)
		qemu_build_argv(env->qemu, it->test, &run, &it->res.argv);
}

void plan_item_free(struct run_item *it)
{
	free(it->image);
	test_result_free(&it->res);
}

/* The --list columns of one test, as printed. */
struct list_row {
	char *cols[4];	/* name, arch, smp, groups */
};

static void list_row(const struct cfg_test *t, struct list_row *row)
{
	char *arches = t->arches ? arch_list(t->arches) : xstrdup("any");

	for (char *p = arches; (p = strstr(p, " or ")); p++)
		memmove(p + 1, p + 4, strlen(p + 4) + 1), *p = ',';
	row->cols[0] = xstrdup(t->name);
	row->cols[1] = arches;
	row->cols[2] = t->smp ? xasprintf("%u%s", t->smp,
					  t->smp_topology ? t->smp_topology : "")
			      : xstrdup(t->smp_expr ? t->smp_expr : "max");
	row->cols[3] = t->groups.n ? strv_join(&t->groups, ",") : xstrdup("-");
}

/* Every test of the selection, nodefault ones marked; each column as wide
 * as its widest cell, so no value (a long smp topology) breaks the table. */
void plan_print_list(FILE *out, const struct run_item *items, size_t n)
{
	static const char *const head[4] = { "NAME", "ARCH", "SMP", "GROUPS" };
	struct list_row *rows = xcalloc(n ? n : 1, sizeof(*rows));
	int w[4];

	for (int c = 0; c < 4; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		list_row(items[i].test, &rows[i]);
		for (int c = 0; c < 4; c++)
			if ((int)strlen(rows[i].cols[c]) > w[c])
				w[c] = (int)strlen(rows[i].cols[c]);
	}
	fprintf(out, "%-*s  %-*s  %-*s  %-*s  %s\n", w[0], head[0], w[1], head[1],
		w[2], head[2], w[3], head[3], "HERE");
	for (size_t i = 0; i < n; i++) {
		const struct run_item *it = &items[i];
		char **col = rows[i].cols;

		fprintf(out, "%-*s  %-*s  %-*s  %-*s  ", w[0], col[0], w[1], col[1],
			w[2], col[2], w[3], col[3]);
		if (it->skip)
			fprintf(out, "%s: %s", it->image_missing ? "fail" : "skip",
				it->res.verdict.reason);
		else
			fprintf(out, "runs with %s%s", accel_name(it->res.accel),
				mig_wanted(it->test) ? ", live-migrated when it asks" : "");
		fputs(it->test->nodefault ? " (nodefault: not in the default set)\n" : "\n",
		      out);
		for (int c = 0; c < 4; c++)
			free(col[c]);
	}
	free(rows);
}

void plan_print_dry_run(FILE *out, const struct run_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct run_item *it = &items[i];

		if (it->skip) {
			fprintf(stderr, "kvm-unit-tests: %s: %s: %s\n",
				it->test->name, it->image_missing ? "fail" : "skip",
				it->res.verdict.reason);
			continue;
		}
		for (size_t a = 0; a < it->res.argv.n; a++) {
			char *q = shellwords_quote(it->res.argv.v[a]);

			fprintf(out, "%s%s", a ? " " : "", q);
			free(q);
		}
		fputc('\n', out);
	}
}
