/*
 * A stand-in for qemu-system-x86_64 that acts out live migration for the
 * end-to-end tests (tests/e2e/migration.sh): it serves QMP on the socket
 * of -qmp unix:PATH,server=on,wait=off, and with -incoming unix:PATH it
 * is a destination that waits for the state on that socket. No guest
 * runs: the "guest" is this program, printing the protocol lines.
 *
 * The image name (-kernel DIR/<mode>.flat) picks the behaviour:
 *   mig-pass      asks once, the state (a hop counter) travels, the
 *                 destination waits for the go-on byte and passes
 *   mig-pass3     the same, three hops
 *   mig-refuse    the destination fails at once, as a QEMU that cannot
 *                 listen on the incoming socket
 *   mig-qmp-error the source's migrate command returns a QMP error
 *   mig-failed    query-migrate ends in "failed" with an error-desc
 *   mig-never     query-migrate says "active" forever
 *   mig-no-ask    passes without asking to migrate
 *   mig-skip      asks for no migration (MIGRATE: SKIP) and passes
 *   mig-no-go     the destination never reads the go-on byte... but the
 *                 launcher must still end it at the timeout
 * Exit status like QEMU's isa-debug-exit: (status << 1) | 1.
 * Pids go to <root>/state/pids like tests/fake-qemu/fake-qemu.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct fake {
	const char *mode;
	int qmp_listen, qmp;	/* -1: none */
	int in_listen, in_conn;
	char qbuf[4096];
	size_t qlen;
	int hop;		/* from the migrated state; 0 on the first QEMU */
	int want_hops;
	bool migrated;		/* the source sent its state */
	bool wait_go;		/* read stdin for the go-on byte */
	bool go;		/* it came */
	unsigned queries;
};

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1))
		return -1;
	return fd;
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void say(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		exit(3);
}

static void out(const char *s)
{
	say(1, s);
}

static void finish(int status)
{
	char line[128];

	snprintf(line, sizeof(line), "SUMMARY: 1 tests, %d unexpected failures, 0 expected failures, 0 skipped\nEXIT: STATUS=%d\n",
		 status ? 1 : 0, status);
	out(line);
	exit((status << 1) | 1);
}

/* One QMP command line from the launcher. */
static void qmp_command(struct fake *f, const char *cmd)
{
	char reply[512];

	if (strstr(cmd, "\"qmp_capabilities\"") ||
	    strstr(cmd, "\"migrate-set-parameters\"")) {
		say(f->qmp, "{\"return\": {}}\r\n");
	} else if (strstr(cmd, "\"query-status\"")) {
		/* an event first: the client must skip it */
		say(f->qmp, "{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"FAKE\"}\r\n");
		snprintf(reply, sizeof(reply), "{\"return\": {\"status\": \"%s\", \"running\": %s}}\r\n",
			 f->in_listen >= 0 && !f->hop ? "inmigrate" : "running",
			 f->in_listen >= 0 && !f->hop ? "false" : "true");
		say(f->qmp, reply);
	} else if (strstr(cmd, "\"migrate\"")) {
		const char *uri = strstr(cmd, "\"unix:");
		char path[300] = "";
		int fd;

		if (!strcmp(f->mode, "mig-qmp-error")) {
			say(f->qmp, "{\"error\": {\"class\": \"GenericError\", \"desc\": \"fake: migration blocked by device \\\"fake-dev\\\"\"}}\r\n");
			return;
		}
		if (uri)
			sscanf(uri + 6, "%299[^\"]", path);
		fd = connect_unix(path);
		if (fd >= 0) {
			snprintf(reply, sizeof(reply), "hop %d\n", f->hop + 1);
			say(fd, reply);
			close(fd);
			f->migrated = true;
		}
		say(f->qmp, "{\"return\": {}}\r\n");
	} else if (strstr(cmd, "\"query-migrate\"")) {
		const char *st = f->migrated && f->queries++ ? "completed" : "active";

		if (!strcmp(f->mode, "mig-never"))
			st = "active";
		if (!strcmp(f->mode, "mig-failed")) {
			say(f->qmp, "{\"return\": {\"status\": \"failed\", \"error-desc\": \"fake: Unable to write to socket: Broken pipe\"}}\r\n");
			return;
		}
		snprintf(reply, sizeof(reply), "{\"return\": {\"status\": \"%s\"}}\r\n", st);
		say(f->qmp, reply);
	} else {
		say(f->qmp, "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"fake: unknown command\"}}\r\n");
	}
}

static void qmp_input(struct fake *f)
{
	ssize_t r = read(f->qmp, f->qbuf + f->qlen, sizeof(f->qbuf) - f->qlen - 1);
	char *nl;

	if (r <= 0) {
		close(f->qmp);
		f->qmp = -1;
		f->qlen = 0;
		return;
	}
	f->qlen += (size_t)r;
	f->qbuf[f->qlen] = '\0';
	while ((nl = strchr(f->qbuf, '\n'))) {
		*nl = '\0';
		qmp_command(f, f->qbuf);
		f->qlen -= (size_t)(nl + 1 - f->qbuf);
		memmove(f->qbuf, nl + 1, f->qlen + 1);
	}
}

/* Serves QMP and the incoming socket; returns when @until is true. */
static void serve(struct fake *f, bool (*until)(struct fake *))
{
	while (!until(f)) {
		struct pollfd p[4];
		int n = 0;

		if (f->qmp >= 0)
			p[n++] = (struct pollfd){ .fd = f->qmp, .events = POLLIN };
		else if (f->qmp_listen >= 0)
			p[n++] = (struct pollfd){ .fd = f->qmp_listen, .events = POLLIN };
		if (f->in_listen >= 0 && !f->hop)
			p[n++] = (struct pollfd){ .fd = f->in_listen, .events = POLLIN };
		if (f->wait_go)
			p[n++] = (struct pollfd){ .fd = 0, .events = POLLIN };
		if (poll(p, (nfds_t)n, -1) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			if (!p[i].revents)
				continue;
			if (p[i].fd == 0) {
				char c;

				if (read(0, &c, 1) == 1)
					f->go = true;
				else
					f->wait_go = false;	/* EOF: never */
			} else if (p[i].fd == f->qmp) {
				qmp_input(f);
			} else if (p[i].fd == f->qmp_listen) {
				f->qmp = accept4(f->qmp_listen, NULL, NULL, SOCK_CLOEXEC);
				if (f->qmp >= 0)
					say(f->qmp, "{\"QMP\": {\"version\": {\"qemu\": {\"major\": 7, \"minor\": 2, \"micro\": 0}}, \"capabilities\": []}}\r\n");
			} else if (p[i].fd == f->in_listen) {
				int c = accept4(f->in_listen, NULL, NULL, SOCK_CLOEXEC);
				char buf[64] = "";

				if (c >= 0 && read(c, buf, sizeof(buf) - 1) > 0)
					sscanf(buf, "hop %d", &f->hop);
				if (c >= 0)
					close(c);
			}
		}
	}
}

static bool has_state(struct fake *f)
{
	return f->hop > 0;
}

static bool has_go(struct fake *f)
{
	return f->go;
}

static bool never(struct fake *f)
{
	(void)f;
	return false;
}

static void record_pid(const char *kernel)
{
	char root[4096], *p, path[4200];
	FILE *s;
	int up;

	snprintf(root, sizeof(root), "%s", kernel);
	for (up = 0; up < 3 && (p = strrchr(root, '/')); up++)
		*p = '\0';
	snprintf(path, sizeof(path), "%s/state/pids", root);
	if (getenv("KUT_E2E_STATE"))
		snprintf(path, sizeof(path), "%s/pids", getenv("KUT_E2E_STATE"));
	s = fopen(path, "a");
	if (s) {
		fprintf(s, "%d\n", (int)getpid());
		fclose(s);
	}
}

int main(int argc, char **argv)
{
	struct fake f = { .qmp_listen = -1, .qmp = -1, .in_listen = -1, .in_conn = -1 };
	const char *kernel = NULL, *qmp = NULL, *incoming = NULL, *slash;
	static char mode[256], qpath[4096];
	char line[256];

	for (int i = 1; i + 1 < argc; i++) {
		if (!strcmp(argv[i], "-kernel"))
			kernel = argv[i + 1];
		else if (!strcmp(argv[i], "-qmp"))
			qmp = argv[i + 1];
		else if (!strcmp(argv[i], "-incoming"))
			incoming = argv[i + 1];
	}
	if (!kernel) {
		fprintf(stderr, "fake-qemu-mig: no -kernel\n");
		return 1;
	}
	record_pid(kernel);
	slash = strrchr(kernel, '/');
	snprintf(mode, sizeof(mode), "%s", slash ? slash + 1 : kernel);
	if (strchr(mode, '.'))
		*strchr(mode, '.') = '\0';
	f.mode = mode;
	f.want_hops = !strcmp(mode, "mig-pass3") ? 3 : 1;
	signal(SIGPIPE, SIG_IGN);

	if (incoming && !strcmp(mode, "mig-refuse")) {
		fprintf(stderr, "qemu-system-x86_64: -incoming %s: Failed to bind socket: Address already in use\n",
			incoming);
		return 1;
	}
	/* unix:PATH,server=on,wait=off; QEMU would undo ",," */
	if (qmp && !strncmp(qmp, "unix:", 5)) {
		snprintf(qpath, sizeof(qpath), "%s", qmp + 5);
		if (strstr(qpath, ",server"))
			*strstr(qpath, ",server") = '\0';
		f.qmp_listen = listen_unix(qpath);
	}
	if (incoming && !strncmp(incoming, "unix:", 5)) {
		f.in_listen = listen_unix(incoming + 5);
		serve(&f, has_state);
		/* the destination runs: wait for the go-on byte */
		if (!strcmp(mode, "mig-no-go"))
			serve(&f, never);
		f.wait_go = true;
		serve(&f, has_go);
		f.wait_go = false;
		snprintf(line, sizeof(line), "PASS: fake: runs on the destination after hop %d\n", f.hop);
		out(line);
	} else {
		out("fake guest: booting\n");
	}
	if (!strcmp(mode, "mig-skip")) {
		out("MIGRATE: SKIP fake: nothing to migrate here\nPASS: fake: works\n");
		finish(0);
	}
	if (!strcmp(mode, "mig-no-ask") || f.hop >= f.want_hops) {
		out("PASS: fake: works\n");
		finish(0);
	}
	out("MIGRATE: NOW\n");
	/* the source keeps serving until the launcher ends it */
	serve(&f, never);
	return 0;
}
