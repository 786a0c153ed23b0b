#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "qmp.h"
#include "xalloc.h"

#define QMP_CONNECT_RETRY_NS 10000000L	/* QEMU creates the socket soon */

double qmp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(struct qmp *q, const char *fmt, const char *a, const char *b)
{
	snprintf(q->err, sizeof(q->err), fmt, a, b);
	return -1;
}

static int ms_left(const struct qmp *q)
{
	double left = q->deadline - qmp_now();

	return left <= 0 ? 0 : left > 1e6 ? 1000000000 : (int)(left * 1000) + 1;
}

/* The next complete line into *@line (malloc'd), newline removed. */
static int read_line(struct qmp *q, char **line)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		struct pollfd p = { .fd = q->fd, .events = POLLIN };
		ssize_t r;
		int pr;

		if (nl) {
			size_t n = (size_t)(nl - q->buf);

			*line = xstrndup(q->buf, n);
			memmove(q->buf, nl + 1, q->len - n - 1);
			q->len -= n + 1;
			return 0;
		}
		if (q->len == sizeof(q->buf))
			return fail(q, "QMP: a reply longer than %s bytes%s", "65536", "");
		pr = poll(&p, 1, ms_left(q));
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0)
			return fail(q, "QMP: poll: %s%s", strerror(errno), "");
		if (pr == 0)
			return fail(q, "QMP: no reply from QEMU before the timeout%s%s", "", "");
		r = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(q, "QMP: read: %s%s", strerror(errno), "");
		if (r == 0)
			return fail(q, "QMP: QEMU closed the connection%s%s", "", "");
		q->len += (size_t)r;
	}
}

static int write_all(struct qmp *q, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t r = send(q->fd, s, len, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(q, "QMP: write: %s%s", strerror(errno), "");
		s += r;
		len -= (size_t)r;
	}
	return 0;
}

static int connect_once(struct qmp *q, const struct sockaddr_un *sa)
{
	q->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return -errno;
	if (connect(q->fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
		return 0;
	close(q->fd);
	q->fd = -1;
	return -errno;
}

int qmp_open(struct qmp *q, const char *path, double deadline)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const struct timespec pause = { 0, QMP_CONNECT_RETRY_NS };
	char *greeting = NULL, *reply = NULL;
	const char *v;
	size_t vlen;
	int e;

	q->fd = -1;
	q->len = 0;
	q->err[0] = '\0';
	q->deadline = deadline;
	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(q, "QMP socket path too long for a UNIX socket: %s%s", path, "");
	memcpy(sa.sun_path, path, strlen(path) + 1);
	/* ENOENT: QEMU has not created the socket yet */
	while ((e = connect_once(q, &sa)) == -ENOENT || e == -ECONNREFUSED) {
		if (qmp_now() >= deadline)
			return fail(q, "QMP: %s: %s before the timeout", path,
				    strerror(-e));
		nanosleep(&pause, NULL);
	}
	if (e)
		return fail(q, "QMP: connect %s: %s", path, strerror(-e));
	if (read_line(q, &greeting))
		goto out;
	if (json_find(greeting, "QMP", &v, &vlen) != JSON_OBJECT) {
		fail(q, "QMP: no greeting from %s: %.200s", path, greeting);
		goto out;
	}
	if (!qmp_execute(q, "qmp_capabilities", NULL, &reply)) {
		free(greeting);
		free(reply);
		return 0;
	}
out:
	free(greeting);
	close(q->fd);
	q->fd = -1;
	return -1;
}

int qmp_execute(struct qmp *q, const char *cmd, const char *args, char **reply)
{
	char *msg, *line = NULL, desc[QMP_ERR_MAX - 64];
	const char *v;
	size_t vlen;
	int ret;

	*reply = NULL;
	msg = xasprintf("{\"execute\": \"%s\"%s%s}\n", cmd,
			args ? ", \"arguments\": " : "", args ? args : "");
	ret = write_all(q, msg);
	free(msg);
	if (ret)
		return -1;
	for (;;) {
		if (read_line(q, &line))
			return -1;
		/* asynchronous events may come first; the reply has one of these */
		if (json_find(line, "return", &v, &vlen) != JSON_NONE) {
			*reply = line;
			return 0;
		}
		if (json_find(line, "error", &v, &vlen) == JSON_OBJECT) {
			if (!json_get_string(line, "error.desc", desc, sizeof(desc)))
				snprintf(desc, sizeof(desc), "%.200s", line);
			free(line);
			snprintf(q->err, sizeof(q->err), "%s: %s", cmd, desc);
			return -1;
		}
		if (json_find(line, "event", &v, &vlen) != JSON_STRING) {
			fail(q, "QMP: not a reply: %.200s%s", line, "");
			free(line);
			return -1;
		}
		free(line);
	}
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
}
