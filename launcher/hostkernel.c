#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "arch.h"
#include "exitcode.h"
#include "expect.h"
#include "hostkernel.h"
#include "warn.h"
#include "initramfs.h"
#include "kmod.h"
#include "qemu.h"
#include "result.h"
#include "tap.h"
#include "xalloc.h"

extern char **environ;

#define ERRLEN 1024
#define LINE_MAX_LEN 4096
#define HOST_INIT "kvm-unit-tests-hostinit"
#define CONSOLE_LOG "host-kernel.log"
/* what kvm-unit-tests-hostinit prints before it powers off on an error */
#define HOSTINIT_ERROR "kut-hostinit: error: "

/* The outer guest, unless the environment says otherwise (kvm-unit-tests(1),
 * ENVIRONMENT). One vCPU under single-threaded TCG crashed least in the
 * measurements of docs/host-kernel.md: with two, QEMU 7.2 died of SIGSEGV
 * in most boots that ran the debug test; single-threaded TCG runs one vCPU
 * at a time anyway, so the second one bought no speed. */
#define DEFAULT_SMP 1
#define DEFAULT_MEM_MB 4096
#define DEFAULT_TCG_THREAD "single"

#define BOOT_LIMIT_S 300.0	/* QEMU started -> init reports "boot ok" */
#define PROGRESS_SLACK_S 120.0	/* beyond the longest test's timeout */
#define CRASH_LINGER_S 3.0	/* console lines kept after a crash line */
#define TERM_GRACE_S 3.0
#define EOF_GRACE_S 2.0	/* after QEMU exited, for its pipes to drain */

/* The inner launcher's descriptors, as kvm-unit-tests-hostinit sets them
 * up: the virtio-serial ports' chardevs read QEMU's fds 3, 4, 5. */
#define CHAN_TAP 0
#define CHAN_ERR 1
#define CHAN_CTL 2
#define NCHAN 3
static const char *const chan_name[NCHAN] = { "kut.tap", "kut.err", "kut.ctl" };

/* A test's way through the boots: started and finished as the inner
 * launcher announces them on kut.ctl, done once its TAP came back. */
enum state { T_PENDING, T_STARTED, T_FINISHED, T_DONE };

struct linebuf {
	char buf[LINE_MAX_LEN];
	size_t len;
};

/* Everything one run of hostkernel_run() keeps; no globals. */
struct hk {
	const struct hostkernel_opts *o;
	enum state *st;
	double *started_at;	/* T_STARTED: when the inner one said so */
	unsigned *cuts;		/* boots that died while it ran */
	unsigned printed;
	size_t failed;		/* not ok without a TODO, crashes apart */
	size_t crashed;		/* not ok because the outer guest died */
	bool interrupted;
	bool env_error;		/* the boot cannot work: no retry */
	char *env_why;
	enum accel outer;
	const char *outer_name;
	enum expect_outer outer_kind;
	struct tap_counts counts;
	unsigned smp;
	unsigned mem_mb;
	const char *tcg_thread;
	const char *kvm_params;
	char *qemu;
	char *init;
	char *release;
	char *modules_dir;
	struct strv modules;	/* files, load order */
	const char *vendor;	/* kvm_amd or kvm_intel */
	char *log_dir;		/* absolute, or NULL */
	FILE *console_log;
	int sigfd;
	sigset_t oldmask;
};

/* One boot of the outer guest. */
struct boot {
	pid_t pid;
	int fd[2 + NCHAN];	/* console (QEMU's stdout), QEMU's stderr,
				 * then the three ports; -1 closed */
	struct linebuf lb[2 + NCHAN];
	double start, last_progress, kill_at, term_at;
	double eof_at;		/* QEMU exited: its pipes must close by then */
	bool booted;		/* init said "boot ok" */
	bool exited;
	int wstatus;
	bool have_exit;		/* init said "exit N" */
	int inner_status;
	char *crash;		/* the reason the boot is over early */
	struct guest_output console;	/* its tail, for the YAML */
	bool in_yaml;		/* TAP: inside a YAML block */
	struct test_result cur;	/* the inner result being read */
	char *cur_name;
	bool have_cur;
	struct strv pending;	/* TAP lines before a result line */
	char *initrd;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


/* Console lines that mean the kernel is gone or wedged; matched anywhere
 * in the line, after the printk timestamp. */
static const char *const crash_patterns[] = {
	"Kernel panic - not syncing",
	"BUG: soft lockup",
	"Watchdog detected hard LOCKUP",
	"detected stalls on CPUs",	/* rcu: INFO: rcu_preempt detected ... */
	"self-detected stall on CPU",
	"BUG: unable to handle",
	"BUG: kernel NULL pointer",
	"kernel BUG at",
	"general protection fault",
	"Oops: ",
	"stack-protector: Kernel stack is corrupted",
};

bool hostkernel_crash_line(const char *line)
{
	for (size_t i = 0; i < sizeof(crash_patterns) / sizeof(*crash_patterns); i++)
		if (strstr(line, crash_patterns[i]))
			return true;
	return false;
}

/* "[   12.345678] text" -> "text" */
static const char *strip_printk_time(const char *line)
{
	const char *p = line;

	if (*p != '[')
		return line;
	p = strchr(p, ']');
	if (!p)
		return line;
	p++;
	while (*p == ' ')
		p++;
	return p;
}

static unsigned env_uint(const char *var, unsigned def, unsigned max)
{
	const char *s = getenv(var);
	unsigned long v;
	char *end;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || v > max) {
		warn("%s='%s': want a number from 1 to %u; using %u", var, s, max, def);
		return def;
	}
	return (unsigned)v;
}

/* The CPU vendor's KVM module: the outer guest's CPU is the host's under
 * KVM; TCG's "max" model has SVM (AMD-V) and no VMX. */
static const char *vendor_module(enum accel outer)
{
	char line[256];
	const char *mod = "kvm_amd";
	FILE *f;

	if (outer != ACCEL_KVM)
		return mod;
	f = fopen("/proc/cpuinfo", "r");
	if (!f)
		return mod;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "vendor_id", 9)) {
			if (strstr(line, "GenuineIntel"))
				mod = "kvm_intel";
			break;
		}
	fclose(f);
	return mod;
}

/* Nested virtualization is on when the host's vendor module says so. */
static bool host_nested(void)
{
	static const char *const mods[] = { "kvm_intel", "kvm_amd" };
	const char *sysmod = getenv("KUT_SYS_MODULE") && *getenv("KUT_SYS_MODULE") ?
			     getenv("KUT_SYS_MODULE") : "/sys/module";

	for (size_t i = 0; i < 2; i++) {
		char c = 0, file[4096];
		FILE *f;

		snprintf(file, sizeof(file), "%s/%s/parameters/nested", sysmod,
			 mods[i]);
		f = fopen(file, "r");

		if (!f)
			continue;
		if (fread(&c, 1, 1, f) != 1)
			c = 0;
		fclose(f);
		if (c == 'Y' || c == 'y' || c == '1')
			return true;
	}
	return false;
}

int hostkernel_outer_choice(const char *want, bool kvm_ok, const char *why,
			    enum accel *outer, char *err, size_t errlen)
{
	if (want && *want && strcmp(want, "auto")) {
		if (!strcmp(want, "tcg")) {
			*outer = ACCEL_TCG;
		} else if (!strcmp(want, "kvm")) {
			if (!kvm_ok) {
				snprintf(err, errlen, "KUT_HOST_ACCEL=kvm: KVM with nested virtualization is not usable here (%s)",
					 why && *why ? why : "nested=N");
				return -1;
			}
			*outer = ACCEL_KVM;
		} else {
			snprintf(err, errlen, "KUT_HOST_ACCEL='%s': want kvm, tcg or auto", want);
			return -1;
		}
	} else {
		*outer = kvm_ok ? ACCEL_KVM : ACCEL_TCG;
	}
	return 0;
}

static int choose_outer(struct hk *hk, char *err, size_t errlen)
{
	const char *want = getenv("KUT_HOST_ACCEL");
	char why[ERRLEN] = "";
	bool kvm_ok;

	kvm_ok = accel_kvm_usable(arch_host(), arch_host(),
				  getenv("KUT_KVM_DEVICE") ? getenv("KUT_KVM_DEVICE") :
				  "/dev/kvm", why, sizeof(why)) == 1 && host_nested();
	if (hostkernel_outer_choice(want, kvm_ok, why, &hk->outer, err, errlen) < 0)
		return -1;
	hk->outer_name = accel_name(hk->outer);
	hk->outer_kind = hk->outer == ACCEL_KVM ? OUTER_KVM : OUTER_TCG;
	return 0;
}

static char *find_init(const char *exe_dir)
{
	char *p;

	if (getenv("KUT_HOST_INIT") && *getenv("KUT_HOST_INIT"))
		return xstrdup(getenv("KUT_HOST_INIT"));
	if (exe_dir) {
		p = xasprintf("%s/%s", exe_dir, HOST_INIT);
		if (access(p, X_OK) == 0)
			return p;
		free(p);
	}
#ifdef PKGLIBEXECDIR
	p = xstrdup(PKGLIBEXECDIR "/" HOST_INIT);
	if (access(p, X_OK) == 0)
		return p;
	free(p);
#endif
	return NULL;
}

/* Everything that must hold before the first boot; -1 with @err. */
static int prepare(struct hk *hk, char *err, size_t errlen, int *status)
{
	const struct hostkernel_opts *o = hk->o;
	const char *want[7];
	struct strv tried = { 0 };
	struct qemu q = { 0 };
	size_t nwant = 0;

	*status = EXIT_USAGE;
	hk->release = kmod_image_release(o->kernel, err, errlen);
	if (!hk->release)
		return -1;
	*status = EXIT_ENV;
	if (choose_outer(hk, err, errlen) < 0)
		return -1;
	if (o->modules) {
		hk->modules_dir = xstrdup(o->modules);
	} else {
		hk->modules_dir = kmod_default_dir(o->kernel, hk->release, &tried);
		if (!hk->modules_dir) {
			char *t = strv_join(&tried, ", ");

			snprintf(err, errlen, "no modules for %s (%s): tried %s; give --host-modules DIR",
				 o->kernel, hk->release, t);
			free(t);
			strv_free(&tried);
			return -1;
		}
		strv_free(&tried);
	}
	hk->vendor = vendor_module(hk->outer);
	want[nwant++] = "virtio_pci";
	want[nwant++] = "virtio_console";
	want[nwant++] = "9pnet_virtio";
	want[nwant++] = "9p";
	want[nwant++] = "kvm";
	want[nwant++] = hk->vendor;
	if (kmod_resolve(hk->modules_dir, want, nwant, &hk->modules, err, errlen) < 0)
		return -1;
	hk->init = find_init(o->exe_dir);
	if (!hk->init) {
		snprintf(err, errlen, "no %s beside the launcher or in its libexec folder (reinstall kvm-unit-tests)",
			 HOST_INIT);
		return -1;
	}
	if (qemu_find(getenv("KUT_HOST_QEMU"), arch_host(), arch_host(), &q,
		      err, errlen) < 0)
		return -1;
	hk->qemu = q.path;
	q.path = NULL;
	qemu_free(&q);
	hk->smp = env_uint("KUT_HOST_SMP", DEFAULT_SMP, 64);
	hk->mem_mb = env_uint("KUT_HOST_MEM", DEFAULT_MEM_MB, 1u << 20);
	hk->tcg_thread = getenv("KUT_HOST_TCG_THREAD") && *getenv("KUT_HOST_TCG_THREAD") ?
			 getenv("KUT_HOST_TCG_THREAD") : DEFAULT_TCG_THREAD;
	if (strcmp(hk->tcg_thread, "single") && strcmp(hk->tcg_thread, "multi")) {
		snprintf(err, errlen, "KUT_HOST_TCG_THREAD='%s': want single or multi",
			 hk->tcg_thread);
		return -1;
	}
	hk->kvm_params = getenv("KUT_HOST_KVM_PARAMS");
	if (o->log_dir) {
		hk->log_dir = realpath(o->log_dir, NULL);
		if (!hk->log_dir) {
			snprintf(err, errlen, "%s: %s", o->log_dir, strerror(errno));
			return -1;
		}
		if (strchr(hk->log_dir, ',')) {
			/* QEMU's option syntax: a ',' would need doubling */
			snprintf(err, errlen, "%s: a log folder with ',' in its path cannot be shared with the guest",
				 hk->log_dir);
			return -1;
		}
	}
	*status = EXIT_PASS;
	return 0;
}

/* ---- the initramfs --------------------------------------------------- */

static void push_nul(struct strv *sv, char **buf, size_t *len)
{
	size_t total = 0, off = 0;

	for (size_t i = 0; i < sv->n; i++)
		total += strlen(sv->v[i]) + 1;
	*buf = xmalloc(total ? total : 1);
	for (size_t i = 0; i < sv->n; i++) {
		size_t l = strlen(sv->v[i]) + 1;

		memcpy(*buf + off, sv->v[i], l);
		off += l;
	}
	*len = total;
}

static void inner_argv(const struct hk *hk, struct strv *argv)
{
	const struct hostkernel_opts *o = hk->o;
	double f = o->timeout_factor * (hk->outer == ACCEL_KVM ?
					HOSTKERNEL_KVM_TIMEOUT_FACTOR :
					HOSTKERNEL_TCG_TIMEOUT_FACTOR);

	strv_push(argv, o->exe);
	strv_append(argv, &o->inner_args);
	strv_push(argv, "--accel");
	strv_push(argv, "kvm");
	strv_push(argv, "--timeout-factor");
	strv_push_owned(argv, xasprintf("%g", f));
	strv_push(argv, "--log-dir");
	/* no host folder: logs stay in the guest's RAM and go with it */
	strv_push(argv, hk->log_dir ? hk->log_dir : "/dev/shm/kut-logs");
	strv_push(argv, "--");
	for (size_t i = 0; i < o->n; i++)
		if (hk->st[i] == T_PENDING)
			strv_push(argv, o->names[i]);
}

static void inner_env(const struct hk *hk, struct strv *env)
{
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "KUT_OUTER_ACCEL=", 16) && strncmp(*e, "TMPDIR=", 7) &&
		    strncmp(*e, "KUT_START_FD=", 13))
			strv_push(env, *e);
	strv_push_owned(env, xasprintf("KUT_OUTER_ACCEL=%s", hk->outer_name));
	strv_push(env, "TMPDIR=/dev/shm");
	strv_push(env, "KUT_START_FD=3");
}

/* Whether the file name @base ("kvm-amd.ko") is module @name ("kvm_amd"). */
static bool module_is(const char *base, const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (base[i] != name[i] && !(base[i] == '-' && name[i] == '_'))
			return false;
	return !strncmp(base + i, ".ko", 3);
}

/* Writes the initramfs to a new temporary file; its path, or NULL. */
static char *build_initrd(const struct hk *hk, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct strv argv = { 0 }, env = { 0 };
	struct initramfs ir;
	char *path, *buf, *cwd, *list = xstrdup("");
	size_t len;
	FILE *f;
	int fd;

	path = xasprintf("%s/kut-initramfs.XXXXXX", tmp);
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "wb"))) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(path);
		free(list);
		return NULL;
	}
	initramfs_begin(&ir, f);
	initramfs_dir(&ir, "dev", 0755);
	initramfs_chardev(&ir, "dev/console", 0600, 5, 1);
	initramfs_dir(&ir, "kut", 0755);
	initramfs_dir(&ir, "kut/mod", 0755);
	if (initramfs_file(&ir, "init", 0755, hk->init) < 0) {
		snprintf(err, errlen, "%s: %s", hk->init, strerror(errno));
		goto fail;
	}
	for (size_t i = 0; i < hk->modules.n; i++) {
		char *base = kmod_plain_name(strrchr(hk->modules.v[i], '/') + 1);
		char *name = xasprintf("kut/mod/%s", base), *l, *mod;
		bool vendor = module_is(base, hk->vendor);
		size_t mlen;

		/* compressed ones go in decompressed, under their .ko name */
		if (kmod_read(hk->modules.v[i], &mod, &mlen, err, errlen) < 0) {
			free(name);
			free(base);
			goto fail;
		}
		initramfs_data(&ir, name, 0644, mod, mlen);
		free(mod);
		free(name);
		l = xasprintf("%s%s%s%s\n", list, base,
			      vendor && hk->kvm_params && *hk->kvm_params ? " " : "",
			      vendor && hk->kvm_params ? hk->kvm_params : "");
		free(base);
		free(list);
		list = l;
	}
	initramfs_data(&ir, "kut/modules", 0644, list, strlen(list));
	inner_argv(hk, &argv);
	push_nul(&argv, &buf, &len);
	initramfs_data(&ir, "kut/argv", 0644, buf, len);
	free(buf);
	inner_env(hk, &env);
	push_nul(&env, &buf, &len);
	initramfs_data(&ir, "kut/env", 0644, buf, len);
	free(buf);
	initramfs_data(&ir, "kut/logdir", 0644, hk->log_dir ? hk->log_dir : "",
		       hk->log_dir ? strlen(hk->log_dir) : 0);
	cwd = getcwd(NULL, 0);
	initramfs_data(&ir, "kut/cwd", 0644, cwd ? cwd : "/", strlen(cwd ? cwd : "/"));
	free(cwd);
	if (initramfs_end(&ir) < 0 || fclose(f) == EOF) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		f = NULL;
		goto fail;
	}
	strv_free(&argv);
	strv_free(&env);
	free(list);
	return path;
fail:
	if (f)
		fclose(f);
	unlink(path);
	free(path);
	strv_free(&argv);
	strv_free(&env);
	free(list);
	return NULL;
}

/* ---- the outer QEMU -------------------------------------------------- */

static void outer_argv(const struct hk *hk, const char *initrd, struct strv *a)
{
	strv_push(a, hk->qemu);
	strv_push(a, "-nodefaults");
	strv_push(a, "-no-user-config");
	strv_push(a, "-display");
	strv_push(a, "none");
	strv_push(a, "-no-reboot");
	strv_push(a, "-accel");
	if (hk->outer == ACCEL_KVM)
		strv_push(a, "kvm");
	else
		strv_push_owned(a, xasprintf("tcg,thread=%s", hk->tcg_thread));
	strv_push(a, "-cpu");
	strv_push(a, hk->outer == ACCEL_KVM ? "host" : "max");
	strv_push(a, "-smp");
	strv_push_owned(a, xasprintf("%u", hk->smp));
	strv_push(a, "-m");
	strv_push_owned(a, xasprintf("%u", hk->mem_mb));
	strv_push(a, "-kernel");
	strv_push(a, hk->o->kernel);
	strv_push(a, "-initrd");
	strv_push(a, initrd);
	/* panic=-1 with -no-reboot: a panic ends QEMU at once */
	strv_push(a, "-append");
	strv_push(a, "console=ttyS0 panic=-1 loglevel=4");
	strv_push(a, "-chardev");
	strv_push(a, "stdio,id=kutcon,signal=off");
	strv_push(a, "-serial");
	strv_push(a, "chardev:kutcon");
	strv_push(a, "-device");
	strv_push(a, "virtio-serial-pci,id=kutser");
	for (int c = 0; c < NCHAN; c++) {
		strv_push(a, "-chardev");
		strv_push_owned(a, xasprintf("file,id=kutch%d,path=/dev/fd/%d", c, 3 + c));
		strv_push(a, "-device");
		strv_push_owned(a, xasprintf("virtserialport,bus=kutser.0,chardev=kutch%d,name=%s",
					     c, chan_name[c]));
	}
	strv_push(a, "-fsdev");
	strv_push(a, "local,id=kutroot,path=/,security_model=none,readonly=on,multidevs=remap");
	strv_push(a, "-device");
	strv_push(a, "virtio-9p-pci,fsdev=kutroot,mount_tag=kutroot");
	if (hk->log_dir) {
		strv_push(a, "-fsdev");
		strv_push_owned(a, xasprintf("local,id=kutlogs,path=%s,security_model=none,multidevs=remap",
					     hk->log_dir));
		strv_push(a, "-device");
		strv_push(a, "virtio-9p-pci,fsdev=kutlogs,mount_tag=kutlogs");
	}
}

static int spawn(struct hk *hk, struct boot *b, struct strv *argv,
		 char *err, size_t errlen)
{
	int p[2 + NCHAN][2], status[2], e;
	pid_t parent = getpid();
	ssize_t got;

	for (int i = 0; i < 2 + NCHAN; i++)
		if (pipe2(p[i], O_CLOEXEC) < 0) {
			snprintf(err, errlen, "pipe: %s", strerror(errno));
			while (i--) {
				close(p[i][0]);
				close(p[i][1]);
			}
			return -1;
		}
	if (pipe2(status, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		for (int i = 0; i < 2 + NCHAN; i++) {
			close(p[i][0]);
			close(p[i][1]);
		}
		return -1;
	}
	fflush(NULL);
	b->pid = fork();
	if (b->pid == 0) {
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

		setpgid(0, 0);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		/* fds 3.. are the chardevs' /dev/fd/N: dup them up high
		 * first, so that no dup2 overwrites one still needed */
		for (int i = 0; i < 2 + NCHAN; i++) {
			int hi = fcntl(p[i][1], F_DUPFD_CLOEXEC, 100);

			if (hi < 0)
				_exit(127);
			p[i][1] = hi;
		}
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(p[0][1], 1) < 0 ||
		    dup2(p[1][1], 2) < 0)
			goto fail;
		for (int c = 0; c < NCHAN; c++)
			if (dup2(p[2 + c][1], 3 + c) < 0)
				goto fail;
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &hk->oldmask, NULL);
		execv(argv->v[0], argv->v);
fail:
		e = errno;
		if (write(status[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	e = errno;
	close(status[1]);
	for (int i = 0; i < 2 + NCHAN; i++) {
		close(p[i][1]);
		b->fd[i] = p[i][0];
		if (b->pid < 0) {
			close(p[i][0]);
			b->fd[i] = -1;
		} else {
			fcntl(b->fd[i], F_SETFL, O_NONBLOCK);
		}
	}
	if (b->pid < 0) {
		close(status[0]);
		snprintf(err, errlen, "fork: %s", strerror(e));
		return -1;
	}
	setpgid(b->pid, b->pid);
	do
		got = read(status[0], &e, sizeof(e));
	while (got < 0 && errno == EINTR);
	close(status[0]);
	if (got == sizeof(e)) {
		snprintf(err, errlen, "cannot run %s: %s", argv->v[0], strerror(e));
		return -1;
	}
	return 0;
}

/* ---- results --------------------------------------------------------- */

static ssize_t find_test(const struct hk *hk, const char *name, size_t len)
{
	for (size_t i = 0; i < hk->o->n; i++)
		if (strlen(hk->o->names[i]) == len &&
		    !strncmp(hk->o->names[i], name, len))
			return (ssize_t)i;
	return -1;
}

/* A result the outer launcher decides itself: cut short by a crash, never
 * run, or lost. */
static void own_result(struct hk *hk, size_t i, const char *reason, bool ran,
		       const struct guest_output *console)
{
	struct test_result r = { 0 };

	r.name = hk->o->names[i];
	r.ran = ran;
	r.accel = ACCEL_KVM;
	r.outer = hk->outer_kind;
	r.secs = ran ? now_s() - hk->started_at[i] : 0;
	r.verdict.kind = VERDICT_FAIL;
	r.verdict.reason = xstrdup(reason);
	if (console) {
		for (size_t k = 0; k < console->out_tail.n; k++) {
			size_t at = (console->out_tail.next + GUEST_TAIL_LINES -
				     console->out_tail.n + k) % GUEST_TAIL_LINES;

			guest_output_line(&r.gout, console->out_tail.v[at]);
		}
		/* the tail is the kernel's, not a test's report */
		for (size_t k = 0; k < r.gout.n; k++)
			free(r.gout.lines[k].text);
		free(r.gout.lines);
		r.gout.lines = NULL;
		r.gout.n = r.gout.cap = 0;
		memset(r.gout.counts, 0, sizeof(r.gout.counts));
	}
	tap_print(hk->o->tap, hk->o->style, ++hk->printed, &r);
	tap_count(&hk->counts, &r);
	if (hk->o->junit)
		junit_add(hk->o->junit, &r);
	fflush(hk->o->tap);
	hk->st[i] = T_DONE;
	test_result_free(&r);
}

/* A YAML double-quoted scalar as tap.c writes it: \" \\ \t \xNN. */
static char *yaml_unquote(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *o = out;

	if (*s == '"')
		s++;
	for (; *s && *s != '"'; s++) {
		if (*s != '\\' || !s[1]) {
			*o++ = *s;
			continue;
		}
		s++;
		if (*s == 't') {
			*o++ = '\t';
		} else if (*s == 'x' && s[1] && s[2]) {
			char hex[3] = { s[1], s[2], 0 };

			*o++ = (char)strtol(hex, NULL, 16);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return out;
}

/* The inner result being read: its line, then its YAML block. Done, it
 * is counted, goes to the JUnit report and, with --brief, is printed. */
static void finish_current(struct hk *hk, struct boot *b)
{
	if (!b->have_cur)
		return;
	if (hk->o->style == TAP_BRIEF)
		tap_brief_result(hk->o->tap, &b->cur);
	tap_count(&hk->counts, &b->cur);
	if (hk->o->junit)
		junit_add(hk->o->junit, &b->cur);
	fflush(hk->o->tap);
	test_result_free(&b->cur);
	free(b->cur_name);
	b->cur_name = NULL;
	memset(&b->cur, 0, sizeof(b->cur));
	b->have_cur = false;
}

static void yaml_line(struct hk *hk, struct boot *b, const char *line)
{
	struct test_result *r = &b->cur;

	(void)hk;
	if (!b->have_cur)
		return;
	if (!strncmp(line, "  duration_s: ", 14)) {
		r->secs = strtod(line + 14, NULL);
	} else if (!strcmp(line, "  accel: none")) {
		r->ran = false;
	} else if (!strncmp(line, "  reason: ", 10)) {
		free(r->verdict.reason);
		r->verdict.reason = yaml_unquote(line + 10);
	} else if (!strncmp(line, "  log: ", 7)) {
		free(r->log_path);
		r->log_path = yaml_unquote(line + 7);
	}
}

/* The subtest lines before a result line: its failing assertions, for the
 * JUnit report, as the guest printed them. */
static void subtests_to_gout(struct boot *b)
{
	for (size_t i = 0; i < b->pending.n; i++) {
		const char *l = b->pending.v[i], *p;
		char *rep;

		if (strncmp(l, "    not ok ", 11) || strstr(l, " # TODO"))
			continue;
		p = strstr(l, " - ");
		if (!p)
			continue;
		rep = xasprintf("FAIL: %s", p + 3);
		guest_output_line(&b->cur.gout, rep);
		free(rep);
	}
}

static void flush_pending(struct hk *hk, struct boot *b)
{
	if (hk->o->style == TAP_FULL)
		for (size_t i = 0; i < b->pending.n; i++)
			fprintf(hk->o->tap, "%s\n", b->pending.v[i]);
	strv_free(&b->pending);
}

/* "# 57 tests: 20 passed, ..." (tap_summary): the outer one prints its own */
static bool summary_line(const char *line)
{
	const char *p = line + 2;

	if (strncmp(line, "# ", 2) || *p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return !strncmp(p, " test: ", 7) || !strncmp(p, " tests: ", 8);
}

/* One line of the inner TAP: result lines are renumbered into the outer
 * plan; the subtest lines before them and the YAML after go out as they
 * are, whole blocks only. */
static void tap_line(struct hk *hk, struct boot *b, const char *line)
{
	const char *p = line, *name, *end, *dir;
	bool ok, full = hk->o->style == TAP_FULL;
	ssize_t i;

	if (b->in_yaml) {
		if (full)
			fprintf(hk->o->tap, "%s\n", line);
		yaml_line(hk, b, line);
		if (!strcmp(line, "  ...")) {
			b->in_yaml = false;
			finish_current(hk, b);
		}
		return;
	}
	if (!strncmp(line, "TAP version", 11) || !strncmp(line, "1..", 3) ||
	    summary_line(line))
		return;
	if (!strcmp(line, "  ---")) {
		flush_pending(hk, b);
		if (full)
			fprintf(hk->o->tap, "%s\n", line);
		b->in_yaml = true;
		return;
	}
	ok = !strncmp(p, "ok ", 3);
	if (!ok && strncmp(p, "not ok ", 7)) {
		if (!strncmp(line, "Bail out!", 9))
			return;	/* the outer one says it, if it must */
		strv_push(&b->pending, line);
		return;
	}
	p += ok ? 3 : 7;
	while (*p >= '0' && *p <= '9')
		p++;
	if (strncmp(p, " - ", 3)) {
		strv_push(&b->pending, line);
		return;
	}
	finish_current(hk, b);
	name = p + 3;
	end = strstr(name, " # ");
	if (!end)
		end = name + strlen(name);
	b->have_cur = true;
	b->cur_name = xstrndup(name, (size_t)(end - name));
	b->cur.name = b->cur_name;
	b->cur.ran = true;
	b->cur.accel = ACCEL_KVM;
	b->cur.outer = hk->outer_kind;
	b->cur.verdict.kind = ok ? VERDICT_PASS : VERDICT_FAIL;
	dir = *end ? end + 3 : NULL;
	if (dir && !strncmp(dir, "SKIP", 4)) {
		b->cur.verdict.kind = VERDICT_SKIP;
		b->cur.verdict.reason = xstrdup(dir[4] == ' ' ? dir + 5 : "");
	} else if (dir && !strncmp(dir, "TODO", 4)) {
		b->cur.verdict.kind = ok ? VERDICT_FIXED : VERDICT_KNOWN;
		b->cur.verdict.reason = xstrdup(dir[4] == ' ' ? dir + 5 : "");
	}
	subtests_to_gout(b);
	flush_pending(hk, b);
	if (full)
		fprintf(hk->o->tap, "%sok %u%s\n", ok ? "" : "not ", ++hk->printed, p);
	else
		++hk->printed;
	fflush(hk->o->tap);
	b->last_progress = now_s();
	i = find_test(hk, b->cur_name, strlen(b->cur_name));
	if (i >= 0)
		hk->st[i] = T_DONE;
	if (b->cur.verdict.kind == VERDICT_FAIL)
		hk->failed++;
}

static void ctl_line(struct hk *hk, struct boot *b, const char *line)
{
	ssize_t i;

	b->last_progress = now_s();
	if (!strcmp(line, "boot ok")) {
		b->booted = true;
	} else if (!strncmp(line, "start ", 6)) {
		i = find_test(hk, line + 6, strlen(line + 6));
		if (i >= 0 && hk->st[i] == T_PENDING) {
			hk->st[i] = T_STARTED;
			hk->started_at[i] = now_s();
		}
	} else if (!strncmp(line, "done ", 5)) {
		i = find_test(hk, line + 5, strlen(line + 5));
		if (i >= 0 && hk->st[i] == T_STARTED)
			hk->st[i] = T_FINISHED;
	} else if (!strncmp(line, "exit ", 5)) {
		b->have_exit = true;
		b->inner_status = atoi(line + 5);
	} else if (!strncmp(line, "error ", 6)) {
		/* the guest could not set up: booting again will not help */
		if (!hk->env_error) {
			hk->env_error = true;
			hk->env_why = xasprintf("host kernel setup failed: %s", line + 6);
		}
	}
}

static void console_line(struct hk *hk, struct boot *b, const char *line)
{
	if (hk->console_log)
		fprintf(hk->console_log, "%s\n", line);
	if (hk->o->verbose)
		fprintf(stderr, "host: %s\n", line);
	guest_output_line(&b->console, line);
	if (!strncmp(line, HOSTINIT_ERROR, strlen(HOSTINIT_ERROR)) && !hk->env_error) {
		hk->env_error = true;
		hk->env_why = xasprintf("host kernel setup failed: %s",
					line + strlen(HOSTINIT_ERROR));
	}
	if (!b->crash && hostkernel_crash_line(line)) {
		b->crash = xasprintf(HOSTKERNEL_CRASHED ": %s", strip_printk_time(line));
		b->kill_at = now_s() + CRASH_LINGER_S;
	}
}

static void deliver(struct hk *hk, struct boot *b, int s, const char *line)
{
	switch (s) {
	case 0:
		console_line(hk, b, line);
		break;
	case 1:	/* QEMU's own stderr */
		if (hk->console_log)
			fprintf(hk->console_log, "qemu: %s\n", line);
		guest_output_line(&b->console, line);
		if (hk->o->verbose)
			fprintf(stderr, "host qemu: %s\n", line);
		break;
	case 2 + CHAN_TAP:
		tap_line(hk, b, line);
		break;
	case 2 + CHAN_ERR:
		fprintf(stderr, "%s\n", line);
		break;
	case 2 + CHAN_CTL:
		ctl_line(hk, b, line);
		break;
	}
}

static void read_fd(struct hk *hk, struct boot *b, int s)
{
	char buf[65536];
	struct linebuf *lb = &b->lb[s];
	ssize_t r;

	r = read(b->fd[s], buf, sizeof(buf));
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		if (lb->len) {
			lb->buf[lb->len] = '\0';
			deliver(hk, b, s, lb->buf);
			lb->len = 0;
		}
		close(b->fd[s]);
		b->fd[s] = -1;
		return;
	}
	for (ssize_t i = 0; i < r; i++) {
		char c = buf[i] ? buf[i] : '?';

		if (c == '\n' || lb->len == LINE_MAX_LEN - 1) {
			lb->buf[lb->len] = '\0';
			while (lb->len && lb->buf[lb->len - 1] == '\r')
				lb->buf[--lb->len] = '\0';
			deliver(hk, b, s, lb->buf);
			lb->len = 0;
			if (c == '\n')
				continue;
		}
		lb->buf[lb->len++] = c;
	}
}

/* The longest any single test may take inside, scaled as the inner
 * launcher scales it: with nothing from the guest for that long, it hangs. */
static double progress_limit(const struct hk *hk)
{
	const struct hostkernel_opts *o = hk->o;
	double max = 0, f = o->timeout_factor * (hk->outer == ACCEL_KVM ?
						 HOSTKERNEL_KVM_TIMEOUT_FACTOR :
						 HOSTKERNEL_TCG_TIMEOUT_FACTOR);

	for (size_t i = 0; i < o->n; i++)
		if (hk->st[i] != T_DONE && o->timeouts[i] * f > max)
			max = o->timeouts[i] * f;
	return max + PROGRESS_SLACK_S;
}

static void kill_boot(struct boot *b, int sig)
{
	if (b->pid > 0 && !b->exited)
		kill(-b->pid, sig);
}

/* One boot: returns when QEMU is gone and its pipes are drained. */
static void boot_loop(struct hk *hk, struct boot *b)
{
	double limit = progress_limit(hk);

	while (!b->exited || b->fd[0] >= 0 || b->fd[1] >= 0 ||
	       b->fd[2] >= 0 || b->fd[3] >= 0 || b->fd[4] >= 0) {
		struct pollfd pfd[3 + NCHAN];
		int owner[3 + NCHAN];
		nfds_t np = 0;
		double t = now_s(), next = t + 1.0;

		pfd[np++] = (struct pollfd){ .fd = hk->sigfd, .events = POLLIN };
		for (int s = 0; s < 2 + NCHAN; s++)
			if (b->fd[s] >= 0) {
				owner[np] = s;
				pfd[np++] = (struct pollfd){ .fd = b->fd[s], .events = POLLIN };
			}
		if (poll(pfd, np, (int)((next - t) * 1000)) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents) {
			struct signalfd_siginfo si;
			bool stop = false;

			while (read(hk->sigfd, &si, sizeof(si)) == sizeof(si))
				stop |= si.ssi_signo != SIGCHLD;
			if (stop && !hk->interrupted) {
				hk->interrupted = true;
				kill_boot(b, SIGKILL);
			}
		}
		for (nfds_t k = 1; k < np; k++)
			if (pfd[k].revents)
				read_fd(hk, b, owner[k]);
		if (!b->exited && waitpid(b->pid, &b->wstatus, WNOHANG) == b->pid) {
			b->exited = true;
			b->eof_at = now_s() + EOF_GRACE_S;
			/* what QEMU's descendants hold open must not keep us */
			kill(-b->pid, SIGKILL);
		}
		t = now_s();
		if (b->exited) {
			/* drain what is left, but no longer than the grace */
			if (t >= b->eof_at)
				for (int s = 0; s < 2 + NCHAN; s++)
					if (b->fd[s] >= 0) {
						close(b->fd[s]);
						b->fd[s] = -1;
					}
			continue;
		}
		if (!b->crash && !b->booted && t - b->start > BOOT_LIMIT_S) {
			b->crash = xasprintf(HOSTKERNEL_CRASHED ": no init after %.0f s (boot hung)",
					     BOOT_LIMIT_S);
			b->kill_at = t;
		}
		if (!b->crash && b->booted && t - b->last_progress > limit) {
			b->crash = xasprintf(HOSTKERNEL_CRASHED ": hung, nothing from the guest for %.0f s",
					     t - b->last_progress);
			b->kill_at = t;
		}
		if (hk->env_error && !b->kill_at)
			b->kill_at = t + CRASH_LINGER_S;
		if (b->kill_at && t >= b->kill_at && !b->term_at) {
			kill_boot(b, SIGTERM);
			b->term_at = t + TERM_GRACE_S;
		} else if (b->term_at && t >= b->term_at) {
			kill_boot(b, SIGKILL);
		}
	}
}

static void boot_free(struct boot *b)
{
	for (int s = 0; s < 2 + NCHAN; s++)
		if (b->fd[s] >= 0)
			close(b->fd[s]);
	if (b->initrd) {
		unlink(b->initrd);
		free(b->initrd);
	}
	free(b->crash);
	test_result_free(&b->cur);
	free(b->cur_name);
	guest_output_free(&b->console);
	strv_free(&b->pending);
}

/* The end of a boot that did not finish its tests: why, from what was seen. */
static char *boot_end_reason(const struct boot *b)
{
	if (b->crash)
		return xstrdup(b->crash);
	if (b->have_exit)
		return xasprintf(HOSTKERNEL_CRASHED ": the inner launcher exited %d before reporting every test",
				 b->inner_status);
	if (WIFSIGNALED(b->wstatus))
		return xasprintf(HOSTKERNEL_CRASHED ": the outer QEMU died of signal %d",
				 WTERMSIG(b->wstatus));
	return xasprintf(HOSTKERNEL_CRASHED ": the outer QEMU exited %d without the inner launcher's end",
			 WEXITSTATUS(b->wstatus));
}

/* One boot for every test not yet done. Returns false when the tests left
 * cannot be run by booting again. */
static bool boot_once(struct hk *hk, unsigned nboot, bool last)
{
	struct boot b = { 0 };
	struct strv argv = { 0 };
	char err[ERRLEN], *why;
	size_t left = 0;
	bool again = true;

	for (int s = 0; s < 2 + NCHAN; s++)
		b.fd[s] = -1;
	b.initrd = build_initrd(hk, err, sizeof(err));
	if (!b.initrd) {
		hk->env_error = true;
		hk->env_why = xasprintf("initramfs: %s", err);
		return false;
	}
	outer_argv(hk, b.initrd, &argv);
	if (hk->console_log) {
		fprintf(hk->console_log, "=== boot %u:", nboot);
		for (size_t i = 0; i < argv.n; i++)
			fprintf(hk->console_log, " %s", argv.v[i]);
		fputc('\n', hk->console_log);
	}
	b.start = b.last_progress = now_s();
	if (spawn(hk, &b, &argv, err, sizeof(err)) < 0) {
		hk->env_error = true;
		hk->env_why = xstrdup(err);
		if (b.pid > 0) {
			kill(-b.pid, SIGKILL);
			waitpid(b.pid, NULL, 0);
		}
		strv_free(&argv);
		boot_free(&b);
		return false;
	}
	boot_loop(hk, &b);
	if (!b.exited) {
		kill(-b.pid, SIGKILL);
		while (waitpid(b.pid, &b.wstatus, 0) < 0 && errno == EINTR)
			;
	}
	/* a YAML block cut in the middle still ends as YAML */
	if (b.in_yaml && hk->o->style == TAP_FULL)
		fputs("  ...\n", hk->o->tap);
	finish_current(hk, &b);
	strv_free(&b.pending);
	for (size_t i = 0; i < hk->o->n; i++)
		left += hk->st[i] != T_DONE;
	if (!hk->interrupted && !hk->env_error && left && b.have_exit &&
	    !b.crash) {
		/* the kernel lived; the inner launcher gave up (no KVM...):
		 * its own messages, on stderr already, say why */
		hk->env_error = true;
		hk->env_why = xasprintf("the inner launcher exited %d before running every test",
					b.inner_status);
	}
	if (hk->interrupted || hk->env_error || !left) {
		again = false;
	} else {
		why = boot_end_reason(&b);
		if (hk->console_log)
			fprintf(hk->console_log, "=== boot %u ended: %s\n", nboot, why);
		warn("boot %u: %s", nboot, why);
		/* The tests it was running when it died: a test running
		 * beside the one that kills the kernel is cut short too, so
		 * each gets a second boot if there is one; cut short twice
		 * (or on the last boot) it is reported. Those that had
		 * finished lost their results with it: they run again. */
		for (size_t i = 0; i < hk->o->n; i++)
			if (hk->st[i] == T_STARTED && (last || ++hk->cuts[i] >= HOSTKERNEL_CUTS)) {
				own_result(hk, i, why, true, &b.console);
				hk->crashed++;
			} else if (hk->st[i] == T_STARTED || hk->st[i] == T_FINISHED) {
				hk->st[i] = T_PENDING;
			}
		free(why);
	}
	strv_free(&argv);
	boot_free(&b);
	return again;
}

static void hk_free(struct hk *hk)
{
	free(hk->st);
	free(hk->started_at);
	free(hk->cuts);
	free(hk->env_why);
	free(hk->qemu);
	free(hk->init);
	free(hk->release);
	free(hk->modules_dir);
	free(hk->log_dir);
	strv_free(&hk->modules);
	if (hk->console_log)
		fclose(hk->console_log);
}

int hostkernel_run(const struct hostkernel_opts *o)
{
	struct hk hk = { .o = o };
	char err[ERRLEN];
	unsigned boots = 0;
	sigset_t mask;
	int status;

	hk.st = xcalloc(o->n ? o->n : 1, sizeof(*hk.st));
	hk.started_at = xcalloc(o->n ? o->n : 1, sizeof(*hk.started_at));
	hk.cuts = xcalloc(o->n ? o->n : 1, sizeof(*hk.cuts));
	if (prepare(&hk, err, sizeof(err), &status) < 0) {
		warn("--host-kernel: %s", err);
		hk_free(&hk);
		return status;
	}
	if (hk.log_dir) {
		char *p = xasprintf("%s/%s", hk.log_dir, CONSOLE_LOG);

		hk.console_log = fopen(p, "w");
		if (hk.console_log)	/* to follow a boot with tail -f */
			setvbuf(hk.console_log, NULL, _IOLBF, 0);
		else
			warn("%s: %s; the host kernel's console is not kept", p,
			     strerror(errno));
		free(p);
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &hk.oldmask);
	hk.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (hk.sigfd < 0) {
		warn("signalfd: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &hk.oldmask, NULL);
		hk_free(&hk);
		return EXIT_ENV;
	}
	tap_begin(o->tap, o->style, o->n);
	fprintf(o->tap, "# host kernel %s (%s), modules %s; KVM nested in %s\n",
		o->kernel, hk.release, hk.modules_dir,
		hk.outer == ACCEL_KVM ? "KVM" : "TCG");
	fflush(o->tap);
	while (o->n && boots <= o->retries) {
		bool left = false, again;

		for (size_t i = 0; i < o->n; i++)
			left |= hk.st[i] == T_PENDING;
		if (!left)
			break;
		again = boot_once(&hk, boots + 1, boots == o->retries);
		boots++;
		if (!again)
			break;
	}
	/* what no boot ran */
	for (size_t i = 0; i < o->n && !hk.interrupted; i++) {
		char *why;

		if (hk.st[i] == T_DONE)
			continue;
		if (hk.env_error)
			why = xstrdup(hk.env_why);
		else
			why = xasprintf(HOSTKERNEL_CRASHED ": not run (or its result lost), %u boot%s crashed",
					boots, boots == 1 ? "" : "s");
		own_result(&hk, i, why, false, NULL);
		if (!hk.env_error)
			hk.crashed++;
		free(why);
	}
	if (hk.env_error)
		warn("--host-kernel: %s", hk.env_why);
	close(hk.sigfd);
	sigprocmask(SIG_SETMASK, &hk.oldmask, NULL);
	if (!hk.interrupted)
		tap_summary(o->tap, o->n, &hk.counts);
	if (hk.interrupted) {
		tap_bail_out(o->tap, o->style, "interrupted");
		status = EXIT_INTERRUPTED;
	} else if (hk.env_error) {
		status = EXIT_ENV;
	} else if (hk.failed) {
		status = EXIT_FAILED;
	} else {
		status = hk.crashed ? EXIT_HOST_CRASHED : EXIT_PASS;
	}
	if (fflush(o->tap) == EOF && status == EXIT_PASS)
		status = EXIT_FAILED;
	hk_free(&hk);
	return status;
}
