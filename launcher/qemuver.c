#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qemuver.h"
#include "readfile.h"
#include "strv.h"
#include "xalloc.h"

#define PROBE_MAX_OUTPUT 4096
#define CACHE_MAX_SIZE (64u << 10)

unsigned qemu_version_parse(const char *text, unsigned v[EXPECT_VERSION_PARTS])
{
	/* "QEMU emulator version 7.2.0 (Debian 1:7.2+dfsg-7)": the first
	 * number after "version " */
	const char *s = strstr(text, "version ");

	if (!s)
		return version_parse("", v, NULL);
	return version_parse(s + 8, v, NULL);
}

/* The cache's key of @path: "SIZE MTIME_S.MTIME_NS". */
static char *cache_key(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return NULL;
	return xasprintf("%jd %jd.%09ld", (intmax_t)st.st_size,
			 (intmax_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

/* Cache lines: "SIZE MTIME VERSION PATH" (PATH last: it may hold blanks). */
static bool cache_lookup(const char *cache_dir, const char *path,
			 const char *key, struct qemu_version *out)
{
	char *file, *buf, *line, *save = NULL, err[256];
	size_t len, klen = strlen(key);
	bool found = false;

	file = xasprintf("%s/%s", cache_dir, QEMUVER_CACHE_FILE);
	if (read_file(file, CACHE_MAX_SIZE, &buf, &len, err, sizeof(err)) < 0) {
		free(file);
		return false;
	}
	free(file);
	for (line = strtok_r(buf, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *ver, *end;

		if (strncmp(line, key, klen) || line[klen] != ' ')
			continue;
		ver = line + klen + 1;
		out->parts = version_parse(ver, out->v, &end);
		found = out->parts && *end == ' ' && !strcmp(end + 1, path);
	}
	free(buf);
	if (!found)
		memset(out, 0, sizeof(*out));
	return found;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs `@path --version`, its stdout read through a pipe, killed after
 * QEMUVER_TIMEOUT_S. */
static int probe(const char *path, struct qemu_version *out, char *why,
		 size_t whylen)
{
	char buf[PROBE_MAX_OUTPUT];
	size_t len = 0;
	int fd[2], wstatus = 0;
	double deadline;
	pid_t pid;

	if (pipe2(fd, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "fork: %s", strerror(errno));
		close(fd[0]);
		close(fd[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

		setpgid(0, 0);
		if (devnull < 0 || dup2(devnull, STDIN_FILENO) < 0 ||
		    dup2(fd[1], STDOUT_FILENO) < 0 ||
		    dup2(devnull, STDERR_FILENO) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execl(path, path, "--version", (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(fd[1]);
	deadline = now_s() + QEMUVER_TIMEOUT_S;
	for (;;) {
		struct pollfd p = { .fd = fd[0], .events = POLLIN };
		double left = deadline - now_s();
		ssize_t r;

		if (left <= 0) {
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		if (!p.revents)
			continue;
		r = read(fd[0], buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof(buf) - 1)
			break;
	}
	close(fd[0]);
	kill(-pid, SIGKILL);	/* anything it left behind in its group */
	while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	buf[len] = '\0';
	out->parts = qemu_version_parse(buf, out->v);
	out->probed = true;
	if (!out->parts) {
		snprintf(why, whylen, "%s --version printed no version%s", path,
			 now_s() >= deadline ? " (timed out)" : "");
		return -1;
	}
	return 0;
}

int qemu_version_get(const char *path, const char *cache_dir,
		     struct qemu_version *out, char *why, size_t whylen)
{
	char *key = cache_key(path);
	bool hit;

	memset(out, 0, sizeof(*out));
	if (!key) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return -1;
	}
	hit = cache_dir && cache_lookup(cache_dir, path, key, out);
	free(key);
	if (hit)
		return 0;
	return probe(path, out, why, whylen);
}

int qemu_version_save(const char *path, const char *cache_dir,
		      const struct qemu_version *ver)
{
	char *file, *tmp, *key, *buf = NULL, *line, *save = NULL, err[256];
	struct strv keep = { 0 };
	size_t len;
	FILE *f;
	int e, bad;

	if (!ver->parts || strchr(path, '\n') || !(key = cache_key(path)))
		return 0;
	file = xasprintf("%s/%s", cache_dir, QEMUVER_CACHE_FILE);
	/* the other binaries' entries stay, this one's is replaced */
	if (read_file(file, CACHE_MAX_SIZE, &buf, &len, err, sizeof(err)) == 0) {
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			const char *p = line;

			for (int field = 0; field < 3 && p; field++)
				if ((p = strchr(p, ' ')))
					p++;
			if (p && strcmp(p, path))
				strv_push(&keep, line);
		}
		free(buf);
	}
	tmp = xasprintf("%s.%ld", file, (long)getpid());
	f = fopen(tmp, "we");
	if (!f)
		goto fail;
	for (size_t i = keep.n >= QEMUVER_CACHE_MAX ? keep.n - QEMUVER_CACHE_MAX + 1 : 0;
	     i < keep.n; i++)
		fprintf(f, "%s\n", keep.v[i]);
	fprintf(f, "%s %u", key, ver->v[0]);
	for (unsigned i = 1; i < ver->parts; i++)
		fprintf(f, ".%u", ver->v[i]);
	fprintf(f, " %s\n", path);
	bad = ferror(f);
	if (fclose(f) == EOF || bad || rename(tmp, file) < 0) {
		e = errno ? errno : EIO;
		unlink(tmp);
		errno = e;
		goto fail;
	}
	free(tmp);
	free(file);
	free(key);
	strv_free(&keep);
	return 0;
fail:
	e = errno;
	free(tmp);
	free(file);
	free(key);
	strv_free(&keep);
	errno = e;
	return -1;
}
