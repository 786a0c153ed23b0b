/*
 * kvm-unit-tests-hostinit: process 1 of the Linux guest that --host-kernel
 * boots (docs/host-kernel.md). The outer launcher puts it at /init of an
 * initramfs it builds on the fly, with:
 *   /kut/modules  one module a line, in load order: "FILE [PARAMS]", FILE
 *                 relative to /kut/mod/
 *   /kut/argv     the inner launcher's argv, NUL-separated
 *   /kut/env      its environment, NUL-separated
 *   /kut/logdir   the host folder shared read-write as "kutlogs" (empty: none)
 *   /kut/cwd      the folder to run in
 * It loads the modules, mounts the host's root (9p tag "kutroot", read-only)
 * and the log folder, chroots, runs the inner launcher with its stdout on
 * the virtio-serial port "kut.tap", its stderr on "kut.err" and fd 3 on
 * "kut.ctl", then writes "exit N" (or "error WHY") to kut.ctl and powers
 * off. The console (ttyS0) carries only the kernel's own messages and ours.
 *
 * Static, with no dependency on the launcher's library: nothing but the
 * initramfs exists when it starts.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NEWROOT "/newroot"
#define CTL_FD 3
#define MAX_CONFIG (1u << 20)
#define MAX_PORTS 64

static int ctl = -1;

static void say(const char *fmt, ...)
{
	va_list ap;

	fputs("kut-hostinit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((noreturn)) power_off(void)
{
	sync();
	reboot(RB_POWER_OFF);
	/* reboot(2) does not return for process 1 unless it failed */
	for (;;)
		pause();
}

/* The outer launcher reads "error WHY" from kut.ctl (and the console). */
static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the outer launcher reads this prefix on the console */
	say("error: %s", msg);
	if (ctl >= 0)
		dprintf(ctl, "error %s\n", msg);
	power_off();
}

/* A whole small file; NUL-terminated, *@len without the NUL. */
static char *slurp(const char *path, size_t *len)
{
	char *buf = malloc(MAX_CONFIG + 1);
	size_t n = 0;
	ssize_t r;
	int fd;

	if (!buf)
		fail("out of memory");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("%s: %s", path, strerror(errno));
	while ((r = read(fd, buf + n, MAX_CONFIG - n)) > 0)
		n += (size_t)r;
	if (r < 0)
		fail("%s: %s", path, strerror(errno));
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

/* NUL-separated strings -> a NULL-terminated vector pointing into @buf. */
static char **split0(char *buf, size_t len)
{
	size_t n = 0, k = 0;
	char **v;

	for (size_t i = 0; i < len; i++)
		n += buf[i] == '\0';
	v = calloc(n + 2, sizeof(*v));
	if (!v)
		fail("out of memory");
	for (size_t i = 0; i < len; i += strlen(buf + i) + 1)
		v[k++] = buf + i;
	v[k] = NULL;
	return v;
}

static void mount_or_fail(const char *src, const char *dst, const char *type,
			  unsigned long flags, const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		fail("mount %s on %s (%s): %s", src, dst, type, strerror(errno));
}

static void load_modules(void)
{
	char *list = slurp("/kut/modules", NULL), *line, *save = NULL;

	for (line = strtok_r(list, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *params = strchr(line, ' '), path[512];
		int fd;

		if (params)
			*params++ = '\0';
		snprintf(path, sizeof(path), "/kut/mod/%s", line);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fail("%s: %s", path, strerror(errno));
		if (syscall(SYS_finit_module, fd, params ? params : "", 0) < 0 &&
		    errno != EEXIST)
			fail("loading %s%s%s: %s", line, params ? " " : "",
			     params ? params : "", strerror(errno));
		close(fd);
	}
	free(list);
}

/* /dev/vportNpM of the virtio-serial port named @name, opened for writing. */
static int open_port(const char *name)
{
	char path[512], got[128];
	struct dirent *de;
	DIR *d;
	int fd = -1;

	d = opendir("/sys/class/virtio-ports");
	if (!d)
		fail("/sys/class/virtio-ports: %s (no virtio_console?)", strerror(errno));
	while (fd < 0 && (de = readdir(d))) {
		ssize_t n;
		int nf;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name",
			 de->d_name);
		nf = open(path, O_RDONLY | O_CLOEXEC);
		if (nf < 0)
			continue;
		n = read(nf, got, sizeof(got) - 1);
		close(nf);
		if (n <= 0)
			continue;
		got[n] = '\0';
		got[strcspn(got, "\n")] = '\0';
		if (strcmp(got, name))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			fail("%s (port %s): %s", path, name, strerror(errno));
	}
	closedir(d);
	if (fd < 0)
		fail("no virtio-serial port named %s", name);
	return fd;
}

/* The ports appear once udev-less devtmpfs has the nodes; poll briefly. */
static int open_port_wait(const char *name)
{
	for (int i = 0; i < 50; i++) {
		if (access("/sys/class/virtio-ports", F_OK) == 0) {
			DIR *d = opendir("/sys/class/virtio-ports");
			struct dirent *de;
			int n = 0;

			while (d && (de = readdir(d)))
				n += de->d_name[0] != '.';
			if (d)
				closedir(d);
			if (n >= 3)
				break;
		}
		usleep(100000);
	}
	return open_port(name);
}

static void console_stdio(void)
{
	int fd = open("/dev/console", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return;
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	close(fd);
}

static void mount_host(const char *logdir)
{
	char path[4096];

	/* 9p2000.L over virtio; msize as large as virtio's ring allows for
	 * the images' reads; the host's files do not change under a run. */
	mount_or_fail("kutroot", NEWROOT, "9p", MS_RDONLY,
		      "trans=virtio,version=9p2000.L,msize=512000,cache=loose");
	if (*logdir) {
		snprintf(path, sizeof(path), NEWROOT "%s", logdir);
		mount_or_fail("kutlogs", path, "9p", 0,
			      "trans=virtio,version=9p2000.L,msize=512000");
	}
	mount_or_fail("proc", NEWROOT "/proc", "proc", 0, NULL);
	mount_or_fail("sysfs", NEWROOT "/sys", "sysfs", 0, NULL);
	mount_or_fail("devtmpfs", NEWROOT "/dev", "devtmpfs", 0, NULL);
	/* the host's root is read-only: temporary files go to RAM */
	mkdir(NEWROOT "/dev/shm", 01777);
	mount_or_fail("tmpfs", NEWROOT "/dev/shm", "tmpfs", 0, "mode=1777");
}

int main(void)
{
	char *argvbuf, *envbuf, *logdir, *cwd;
	char **argv, **env;
	int tap, err, status;
	size_t alen, elen;
	pid_t pid, w;

	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	console_stdio();
	mkdir("/proc", 0555);
	mkdir("/sys", 0555);
	mkdir(NEWROOT, 0755);
	mount_or_fail("proc", "/proc", "proc", 0, NULL);
	mount_or_fail("sysfs", "/sys", "sysfs", 0, NULL);

	load_modules();
	ctl = open_port_wait("kut.ctl");
	tap = open_port("kut.tap");
	err = open_port("kut.err");

	argvbuf = slurp("/kut/argv", &alen);
	envbuf = slurp("/kut/env", &elen);
	logdir = slurp("/kut/logdir", NULL);
	cwd = slurp("/kut/cwd", NULL);
	argv = split0(argvbuf, alen);
	env = split0(envbuf, elen);
	if (!argv[0])
		fail("/kut/argv is empty");
	mount_host(logdir);
	if (chroot(NEWROOT) < 0 || chdir("/") < 0)
		fail("chroot %s: %s", NEWROOT, strerror(errno));
	if (chdir(cwd) < 0)
		fail("chdir %s: %s", cwd, strerror(errno));
	say("running %s", argv[0]);
	dprintf(ctl, "boot ok\n");

	pid = fork();
	if (pid < 0)
		fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(tap, 1) < 0 ||
		    dup2(err, 2) < 0 || dup2(ctl, CTL_FD) < 0)
			_exit(127);
		execve(argv[0], argv, env);
		dprintf(2, "kvm-unit-tests-hostinit: %s: %s\n", argv[0],
			strerror(errno));
		_exit(127);
	}
	/* process 1 inherits every orphan (QEMUs whose launcher died):
	 * reap them all until the launcher itself is done */
	do {
		w = wait(&status);
	} while (w != pid && !(w < 0 && errno == ECHILD));
	if (w == pid && WIFEXITED(status))
		dprintf(ctl, "exit %d\n", WEXITSTATUS(status));
	else if (w == pid)
		dprintf(ctl, "error inner launcher killed by signal %d\n",
			WTERMSIG(status));
	else
		dprintf(ctl, "error lost the inner launcher\n");
	close(tap);
	close(err);
	close(ctl);
	power_off();
}
