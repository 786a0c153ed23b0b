#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "migrate.h"
#include "xalloc.h"

#define MIG_SOCKET_NAME_MAX 16	/* "/qmp4294967295" and its NUL */

bool mig_wanted(const struct cfg_test *t)
{
	return cfg_test_in_group(t, MIG_GROUP);
}

int mig_init(struct mig *m, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	memset(m, 0, sizeof(*m));
	m->drv_fd = -1;
	dir = xasprintf("%s/kut-mig.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	/* sockets go in it: "<dir>/qmp<N>" must fit sockaddr_un's sun_path */
	if (strlen(dir) + MIG_SOCKET_NAME_MAX >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "cannot migrate: $TMPDIR is too long for a UNIX socket path (%s)",
			 dir);
		free(dir);
		return -1;
	}
	if (!mkdtemp(dir)) {
		snprintf(err, errlen, "cannot create the migration folder %s: %s",
			 dir, strerror(errno));
		free(dir);
		return -1;
	}
	m->dir = dir;
	return 0;
}

/* QEMU's option syntax: a ',' in a value is written ",,". */
static char *opt_escape(const char *s)
{
	char *out = xmalloc(2 * strlen(s) + 1), *o = out;

	for (; *s; s++) {
		*o++ = *s;
		if (*s == ',')
			*o++ = ',';
	}
	*o = '\0';
	return out;
}

void mig_argv(struct mig *m, const struct strv *base, struct strv *out)
{
	unsigned n = m->next++;
	char *qmp = xasprintf("%s/qmp%u", m->dir, n), *esc = opt_escape(qmp);

	strv_append(out, base);
	strv_push(out, "-qmp");
	strv_push_owned(out, xasprintf("unix:%s,server=on,wait=off", esc));
	free(esc);
	if (!n) {
		m->qmp = qmp;
		return;
	}
	free(m->dst_qmp);
	free(m->uri);
	m->dst_qmp = qmp;
	m->uri = xasprintf("unix:%s/mig%u", m->dir, n);
	strv_push(out, "-incoming");
	strv_push(out, m->uri);
}

static void report_line(int fd, const char *fmt, const char *a, const char *b)
{
	char line[QMP_ERR_MAX + 64];
	int n = snprintf(line, sizeof(line), fmt, a, b);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1, line[n - 1] = '\n';
	/* the launcher reads it whole: it is shorter than PIPE_BUF */
	if (write(fd, line, (size_t)n) < 0)
		_exit(1);
}

static void pause_ns(long ns)
{
	const struct timespec ts = { 0, ns };

	nanosleep(&ts, NULL);
}

/* Executes @cmd; on failure reports its error on @fd. */
static int execute(struct qmp *q, int fd, const char *who, const char *cmd,
		   const char *args, char **reply)
{
	if (!qmp_execute(q, cmd, args, reply))
		return 0;
	report_line(fd, "error %s: %s\n", who, q->err);
	return -1;
}

/* The runstate of the destination: "inmigrate" until the state is in,
 * "running" once it runs (qapi/run-state.json). */
static int dst_status(struct qmp *q, int fd, char *st, size_t stlen)
{
	char *reply;

	if (execute(q, fd, "destination", "query-status", NULL, &reply))
		return -1;
	if (!json_get_string(reply, "return.status", st, stlen))
		snprintf(st, stlen, "?");
	free(reply);
	return 0;
}

/* The driver: one migration, start to end, its progress and result as
 * lines on @fd ("status S", then "ok" or "error WHY"). */
static void drive(const struct mig *m, double deadline, int fd)
{
	struct qmp src, dst;
	char *reply, args[4096], uri[4000], st[64], desc[QMP_ERR_MAX - 64];
	char last[64] = "";

	if (qmp_open(&src, m->qmp, deadline)) {
		report_line(fd, "error source: %s\n", src.err, "");
		return;
	}
	if (qmp_open(&dst, m->dst_qmp, deadline)) {
		report_line(fd, "error destination: %s\n", dst.err, "");
		return;
	}
	if (dst_status(&dst, fd, st, sizeof(st)))
		return;
	if (strcmp(st, "inmigrate")) {
		report_line(fd, "error the destination is '%s', not waiting for the migration ('inmigrate')\n",
			    st, "");
		return;
	}
	snprintf(args, sizeof(args),
		 "{\"max-bandwidth\": %llu, \"downtime-limit\": %u}",
		 (unsigned long long)MIG_MAX_BANDWIDTH, MIG_DOWNTIME_MS);
	if (execute(&src, fd, "source", "migrate-set-parameters", args, &reply))
		return;
	free(reply);
	if (!json_quote(m->uri, uri, sizeof(uri))) {
		report_line(fd, "error migration URI too long: %s\n", m->uri, "");
		return;
	}
	snprintf(args, sizeof(args), "{\"uri\": %s}", uri);
	if (execute(&src, fd, "source", "migrate", args, &reply))
		return;
	free(reply);
	/* query-migrate's status: setup, active, ..., completed or failed
	 * (qapi/migration.json, MigrationStatus) */
	for (;;) {
		if (execute(&src, fd, "source", "query-migrate", NULL, &reply))
			return;
		if (!json_get_string(reply, "return.status", st, sizeof(st)))
			snprintf(st, sizeof(st), "?");
		if (strcmp(st, last)) {
			report_line(fd, "status %s\n", st, "");
			snprintf(last, sizeof(last), "%s", st);
		}
		if (!strcmp(st, "failed") || !strcmp(st, "cancelled")) {
			if (!json_get_string(reply, "return.error-desc", desc, sizeof(desc)))
				snprintf(desc, sizeof(desc), "no error-desc");
			free(reply);
			report_line(fd, "error source: migration %s: %s\n", st, desc);
			return;
		}
		free(reply);
		if (!strcmp(st, "completed"))
			break;
		if (qmp_now() >= deadline) {
			report_line(fd, "error source: still '%s' at the timeout\n", st, "");
			return;
		}
		pause_ns(MIG_POLL_NS);
	}
	/* the go-on byte must land in the loaded serial port, not before */
	for (;;) {
		if (dst_status(&dst, fd, st, sizeof(st)))
			return;
		if (!strcmp(st, "running"))
			break;
		if (strcmp(st, "inmigrate") && strcmp(st, "prelaunch")) {
			report_line(fd, "error destination: '%s' after the migration, not 'running'\n",
				    st, "");
			return;
		}
		if (qmp_now() >= deadline) {
			report_line(fd, "error destination: still '%s' at the timeout\n", st, "");
			return;
		}
		pause_ns(MIG_POLL_NS / 4);
	}
	qmp_close(&src);
	qmp_close(&dst);
	report_line(fd, "ok\n", "", "");
}

int mig_driver_start(struct mig *m, double deadline, const sigset_t *mask)
{
	int p[2];
	pid_t pid, parent = getpid();

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		sigprocmask(SIG_SETMASK, mask, NULL);
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(1);
		drive(m, deadline, p[1]);
		_exit(0);
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	m->drv_pid = pid;
	m->drv_fd = p[0];
	m->drv_len = 0;
	m->active = true;
	m->started = qmp_now();
	snprintf(m->status, sizeof(m->status), "not started");
	free(m->error);
	m->error = NULL;
	return 0;
}

/* One line of the driver: 1 ok, -1 error, 0 progress. */
static int driver_line(struct mig *m, char *line)
{
	if (!strcmp(line, "ok"))
		return 1;
	if (!strncmp(line, "status ", 7)) {
		snprintf(m->status, sizeof(m->status), "%s", line + 7);
		return 0;
	}
	free(m->error);
	m->error = xstrdup(!strncmp(line, "error ", 6) ? line + 6 : line);
	return -1;
}

int mig_driver_read(struct mig *m)
{
	for (;;) {
		char *nl;
		ssize_t r;

		while ((nl = memchr(m->drv_buf, '\n', m->drv_len))) {
			size_t n = (size_t)(nl - m->drv_buf) + 1;
			int ret;

			*nl = '\0';
			ret = driver_line(m, m->drv_buf);
			memmove(m->drv_buf, m->drv_buf + n, m->drv_len - n);
			m->drv_len -= n;
			if (ret)
				return ret;
		}
		if (m->drv_len == sizeof(m->drv_buf))
			m->drv_len = 0;	/* cannot happen: lines are bounded */
		r = read(m->drv_fd, m->drv_buf + m->drv_len,
			 sizeof(m->drv_buf) - m->drv_len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return 0;
		if (r <= 0) {
			free(m->error);
			m->error = xasprintf("the migration driver ended without a result (last status: %s)",
					     m->status);
			return -1;
		}
		m->drv_len += (size_t)r;
	}
}

void mig_driver_stop(struct mig *m)
{
	if (m->drv_pid > 0) {
		kill(m->drv_pid, SIGKILL);
		while (waitpid(m->drv_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	m->drv_pid = 0;
	if (m->drv_fd >= 0)
		close(m->drv_fd);
	m->drv_fd = -1;
}

void mig_switched(struct mig *m, double now)
{
	mig_driver_stop(m);
	m->done++;
	m->secs += now - m->started;
	m->active = false;
	free(m->qmp);
	m->qmp = m->dst_qmp;
	m->dst_qmp = NULL;
}

void mig_cleanup(struct mig *m)
{
	DIR *d;

	mig_driver_stop(m);
	if (m->dir && (d = opendir(m->dir))) {
		struct dirent *e;

		/* QEMU leaves its sockets behind when it is killed */
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
		rmdir(m->dir);
	}
	free(m->dir);
	free(m->qmp);
	free(m->dst_qmp);
	free(m->uri);
	free(m->skip);
	free(m->error);
	memset(m, 0, sizeof(*m));
	m->drv_fd = -1;
}

void mig_verdict(const struct mig *m, bool wanted, const struct run_end *end,
		 struct verdict *v)
{
	char *why;

	if (end->kind == END_TIMEOUT && m->active) {
		why = xasprintf("%s during migration %u, which never completed (QEMU's last status: %s)",
				v->reason ? v->reason : "timeout", m->done + 1,
				m->status);
		free(v->reason);
		v->reason = why;
		return;
	}
	if (!wanted || m->done || v->kind != VERDICT_PASS)
		return;
	free(v->reason);
	if (m->skip) {
		v->kind = VERDICT_SKIP;
		v->reason = xasprintf("asked for no migration: %s", m->skip);
	} else {
		v->kind = VERDICT_FAIL;
		v->reason = xstrdup("in the migration group but never asked to migrate (no MIGRATE: NOW line)");
	}
}
