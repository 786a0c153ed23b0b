#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu.h"
#include "strv.h"
#include "xalloc.h"

#define QEMU_KVM_PATH "/usr/libexec/qemu-kvm"	/* RHEL, Fedora, CentOS */

static const char *const qboot_paths[] = {
	"/usr/share/qemu/qboot.rom",		/* Debian, Ubuntu, Fedora */
	"/usr/share/qemu-kvm/qboot.rom",	/* RHEL's qemu-kvm */
};

static bool is_exec(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

static char *search_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (strchr(name, '/'))
		return is_exec(name) ? xstrdup(name) : NULL;
	copy = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);

		if (is_exec(cand))
			found = cand;
		else
			free(cand);
	}
	free(copy);
	return found;
}

static void set(struct qemu *q, char *path)
{
	const char *slash = strrchr(path, '/');

	q->path = path;
	q->base = xstrdup(slash ? slash + 1 : path);
}

int qemu_find(const char *opt, enum arch arch, enum arch host, struct qemu *q,
	      char *err, size_t errlen)
{
	const struct arch_info *info = arch_info(arch);
	const char *given = opt ? opt : getenv("QEMU");
	struct strv names = { 0 };
	char *found = NULL, *tried;

	memset(q, 0, sizeof(*q));
	if (given && *given) {
		found = search_path(given);
		if (!found) {
			snprintf(err, errlen, "QEMU '%s' (%s): not found or not executable",
				 given, opt ? "--qemu" : "$QEMU");
			return -1;
		}
		set(q, found);
		return 0;
	}
	for (size_t i = 0; i < 3 && info->qemu[i]; i++)
		strv_push(&names, info->qemu[i]);
	for (size_t i = 0; i < names.n && !found; i++)
		found = search_path(names.v[i]);
	if (!found && arch_kvm_capable(host, arch) && is_exec(QEMU_KVM_PATH))
		found = xstrdup(QEMU_KVM_PATH);
	if (found) {
		strv_free(&names);
		set(q, found);
		return 0;
	}
	tried = strv_join(&names, ", ");
	snprintf(err, errlen, "no QEMU for %s: tried %s on $PATH%s (%s)",
		 arch_name(arch), tried,
		 arch_kvm_capable(host, arch) ? " and " QEMU_KVM_PATH : "",
		 info->packages);
	free(tried);
	strv_free(&names);
	return -1;
}

char *qemu_find_qboot(const struct qemu *q)
{
	char *near;

	for (size_t i = 0; i < sizeof(qboot_paths) / sizeof(qboot_paths[0]); i++)
		if (access(qboot_paths[i], R_OK) == 0)
			return xstrdup(qboot_paths[i]);
	/* a QEMU installed in its own prefix keeps its firmware in
	 * <prefix>/share/qemu */
	if (q && strchr(q->path, '/')) {
		char *dir = xstrndup(q->path, (size_t)(strrchr(q->path, '/') - q->path));

		near = xasprintf("%s/../share/qemu/qboot.rom", dir);
		free(dir);
		if (access(near, R_OK) == 0)
			return near;
		free(near);
	}
	return NULL;
}

void qemu_build_argv(const struct qemu *q, const struct cfg_test *t,
		     const struct qemu_run *run, struct strv *argv)
{
	const struct arch_info *info = arch_info(run->arch);
	const char *cpu = run->accel == ACCEL_KVM ? info->cpu_kvm : info->cpu_tcg;

	strv_push(argv, q->path);
	strv_push(argv, "-nodefaults");
	strv_push(argv, "-nographic");
	/* A guest that resets (a triple fault) ends QEMU instead of looping
	 * until the timeout. */
	strv_push(argv, "-no-reboot");
	strv_push(argv, "-machine");
	strv_push(argv, t->machine ? t->machine : info->machine);
	strv_push(argv, "-accel");
	/* the cfg's options (accel = tcg,thread=single) are for its own
	 * accelerator, the only one the test runs with */
	strv_push_owned(argv, xasprintf("%s%s", run->accel == ACCEL_KVM ? "kvm" : "tcg",
					t->accel_opts && t->accel == run->accel ?
					t->accel_opts : ""));
	if (cpu) {
		strv_push(argv, "-cpu");
		strv_push(argv, cpu);
	}
	if (run->bios) {
		strv_push(argv, "-bios");
		strv_push(argv, run->bios);
	}
	for (size_t i = 0; info->args && info->args[i]; i++)
		strv_push(argv, info->args[i]);
	strv_push(argv, "-serial");
	strv_push(argv, "stdio");
	strv_push(argv, "-m");
	strv_push_owned(argv, xasprintf("%d", QEMU_DEFAULT_MEM_MB));
	strv_push(argv, "-smp");
	strv_push_owned(argv, xasprintf("%u%s", run->smp,
					t->smp_topology ? t->smp_topology : ""));
	strv_push(argv, "-kernel");
	strv_push(argv, run->image);
	if (t->append.n) {
		strv_push(argv, "-append");
		strv_push_owned(argv, strv_join(&t->append, " "));
	}
	/* last, so that the cfg's -m, -cpu or -machine options win */
	strv_append(argv, &t->extra);
}

void qemu_free(struct qemu *q)
{
	free(q->path);
	free(q->base);
	q->path = q->base = NULL;
}
