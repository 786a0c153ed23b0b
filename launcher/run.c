#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cost.h"
#include "log.h"
#include "migrate.h"
#include "progress.h"
#include "run.h"
#include "tap.h"
#include "xalloc.h"

#define LINEBUF_SIZE 4096	/* longer lines are handled in pieces */
#define READ_CHUNK 65536

struct linebuf {
	char buf[LINEBUF_SIZE];
	size_t len;
	bool cont;	/* the next piece continues a cut line */
};

#define MIG_EOF_WAIT_MS 2000	/* a killed source's pipes close by then */

struct job {
	struct run_item *item;
	pid_t pid;
	/* [1] QEMU's stdout, [2] its stderr, [3] a migration destination's
	 * stderr; -1: closed */
	int fd[4];
	struct linebuf lb[4];
	size_t bytes;
	unsigned slots;		/* of the -j budget, cost_slots() */
	double start;
	double deadline;	/* the test's timeout */
	double kill_at;		/* SIGKILL after SIGTERM; 0: not yet */
	double linger_at;	/* after the EXIT line; 0: no line yet */
	double eof_at;		/* after QEMU exited; 0: not exited */
	enum run_end_kind end;	/* END_EXITED unless the launcher killed it */
	char *detail;
	bool exited;
	int wstatus;
	FILE *log;
	/* live migration (launcher/migrate.h), when the test migrates */
	bool migrates;
	int in;			/* the running QEMU's stdin (console input) */
	pid_t dst_pid;		/* the destination; 0: none */
	int dst_out, dst_in;	/* its stdout and stdin until it takes over */
	char *dst_last;		/* its last stderr line */
	struct mig mig;
};

struct runner {
	const struct run_opts *o;
	struct run_item *items;
	size_t n;
	bool *started;
	size_t nstarted;
	unsigned used;		/* slots taken by the running jobs */
	size_t next_print;
	unsigned printed;
	bool *done;
	struct job *jobs;	/* o->jobs slots; pid 0: free */
	size_t running;
	int sigfd;
	sigset_t oldmask;
	struct progress progress;
	struct run_summary *sum;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void kill_group(struct job *j, int sig)
{
	/* each QEMU leads its own group: this reaches anything it forked */
	if (j->pid > 0)
		kill(-j->pid, sig);
	if (j->dst_pid > 0)
		kill(-j->dst_pid, sig);
}

static void close_int(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void stop(struct job *j, enum run_end_kind why, const char *detail,
		 int sig)
{
	if (j->end != END_EXITED)
		return;	/* the first reason stands */
	j->end = why;
	free(j->detail);
	j->detail = detail ? xstrdup(detail) : NULL;
	kill_group(j, sig);
	if (sig == SIGTERM)
		j->kill_at = now_s() + RUN_TERM_GRACE_S;
}

static void close_fd(struct job *j, int s)
{
	if (j->fd[s] >= 0)
		close(j->fd[s]);
	j->fd[s] = -1;
}

static void show_verbose(struct runner *rn, struct job *j, int stream,
			 const char *line)
{
	progress_clear(&rn->progress);
	if (rn->o->jobs > 1 && rn->n > 1)
		fprintf(stderr, "%s%s: %s\n", j->item->test->name,
			stream == 2 ? " (stderr)" : "", line);
	else
		fprintf(stderr, "%s\n", line);
}

static void migration_asked(struct runner *rn, struct job *j);

static void deliver(struct runner *rn, struct job *j, int s, char *line,
		    bool piece)
{
	struct guest_output *g = &j->item->res.gout;
	size_t len = strlen(line);

	while (len && line[len - 1] == '\r')
		line[--len] = '\0';
	if (j->log)
		log_line(j->log, s == 3 ? 2 : s, line);
	if (rn->o->verbose)
		show_verbose(rn, j, s, line);
	if (piece)
		return;	/* the tail of a cut line is no report line */
	if (s == 3) {
		/* the destination's stderr: its last word explains a failure */
		free(j->dst_last);
		j->dst_last = xstrdup(line);
		guest_stderr_line(g, line);
		return;
	}
	if (s == 1) {
		bool had = g->have_exit_line;

		if (!strcmp(line, MIG_NOW_LINE))
			migration_asked(rn, j);
		else if (!strncmp(line, MIG_SKIP_PREFIX, strlen(MIG_SKIP_PREFIX)) &&
			 !j->mig.skip)
			j->mig.skip = xstrdup(line + strlen(MIG_SKIP_PREFIX));
		guest_output_line(g, line);
		if (!had && g->have_exit_line)
			j->linger_at = now_s() + RUN_LINGER_S;
	} else {
		guest_stderr_line(g, line);
		if (qemu_fatal_line(rn->o->qemu_base, line))
			stop(j, END_FATAL, line, SIGTERM);
	}
}

static void feed(struct runner *rn, struct job *j, int s, const char *data,
		 size_t len)
{
	struct linebuf *lb = &j->lb[s];

	for (size_t i = 0; i < len; i++) {
		char c = data[i] ? data[i] : '?';	/* NUL would cut the line */

		if (c == '\n') {
			lb->buf[lb->len] = '\0';
			deliver(rn, j, s, lb->buf, lb->cont);
			lb->len = 0;
			lb->cont = false;
			continue;
		}
		if (lb->len == LINEBUF_SIZE - 1) {
			lb->buf[lb->len] = '\0';
			deliver(rn, j, s, lb->buf, lb->cont);
			lb->len = 0;
			lb->cont = true;
		}
		lb->buf[lb->len++] = c;
	}
}

static void flush_partial(struct runner *rn, struct job *j, int s)
{
	struct linebuf *lb = &j->lb[s];

	if (!lb->len)
		return;
	lb->buf[lb->len] = '\0';
	deliver(rn, j, s, lb->buf, lb->cont);
	lb->len = 0;
	lb->cont = false;
}

static void read_stream(struct runner *rn, struct job *j, int s)
{
	char buf[READ_CHUNK];
	ssize_t r;

	for (int rounds = 0; rounds < 4 && j->fd[s] >= 0; rounds++) {
		r = read(j->fd[s], buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0) {
			flush_partial(rn, j, s);
			close_fd(j, s);
			return;
		}
		if (j->bytes + (size_t)r > rn->o->output_cap) {
			size_t room = rn->o->output_cap - j->bytes;

			feed(rn, j, s, buf, room);
			j->bytes = rn->o->output_cap;
			flush_partial(rn, j, 1);
			flush_partial(rn, j, 2);
			flush_partial(rn, j, 3);
			close_fd(j, 1);
			close_fd(j, 2);
			close_fd(j, 3);
			stop(j, END_FLOOD, NULL, SIGKILL);
			return;
		}
		j->bytes += (size_t)r;
		feed(rn, j, s, buf, (size_t)r);
	}
}

static void __attribute__((noreturn))
child(struct runner *rn, char *const *argv, int out[2], int err[2], int in[2],
      int status[2], pid_t parent)
{
	int e, input;

	setpgid(0, 0);
	/* no QEMU outlives a launcher killed without a chance to clean up */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(127);
	/* a migrating test's console input is a pipe: the go-on byte */
	input = in ? in[0] : open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (input < 0 || dup2(input, STDIN_FILENO) < 0 ||
	    dup2(out[1], STDOUT_FILENO) < 0 || dup2(err[1], STDERR_FILENO) < 0)
		goto fail;
	signal(SIGPIPE, SIG_DFL);
	sigprocmask(SIG_SETMASK, &rn->oldmask, NULL);
	close(status[0]);
	execv(argv[0], argv);
fail:
	e = errno;
	if (write(status[1], &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* A QEMU process: its pid, the read ends of its stdout and stderr and,
 * when @in is not NULL, the write end of its stdin. Returns 0, or -1 with
 * *@detail (malloc'd) saying why it did not start. */
static int spawn(struct runner *rn, char *const *argv, pid_t *pid, int *out_fd,
		 int *err_fd, int *in_fd, char **detail)
{
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, in[2] = { -1, -1 };
	int status[2] = { -1, -1 }, e;
	ssize_t got;

	*pid = -1;
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0 ||
	    (in_fd && pipe2(in, O_CLOEXEC) < 0) || pipe2(status, O_CLOEXEC) < 0)
		goto fail;
	fflush(NULL);
	*pid = fork();
	if (*pid < 0)
		goto fail;
	if (*pid == 0)
		child(rn, argv, out, err, in_fd ? in : NULL, status, getppid());
	setpgid(*pid, *pid);	/* also here: no window where it is not set */
	close_int(&out[1]);
	close_int(&err[1]);
	close_int(&in[0]);
	close_int(&status[1]);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	*out_fd = out[0];
	*err_fd = err[0];
	if (in_fd) {
		fcntl(in[1], F_SETFL, O_NONBLOCK);
		*in_fd = in[1];
	}
	/* the status pipe closes on a successful exec, or carries errno */
	do
		got = read(status[0], &e, sizeof(e));
	while (got < 0 && errno == EINTR);
	close(status[0]);
	if (got == sizeof(e)) {
		*detail = xasprintf("cannot run %s: %s", argv[0], strerror(e));
		return -1;
	}
	return 0;

fail:
	e = errno;
	close_int(&out[0]);
	close_int(&out[1]);
	close_int(&err[0]);
	close_int(&err[1]);
	close_int(&in[0]);
	close_int(&in[1]);
	close_int(&status[0]);
	close_int(&status[1]);
	*pid = -1;
	*detail = xasprintf("cannot start %s: %s", argv[0], strerror(e));
	return -1;
}

static int destination_start(struct runner *rn, struct job *j);

static int start(struct runner *rn, struct job *j, struct run_item *it)
{
	struct test_result *r = &it->res;
	struct strv argv = { 0 };
	char *detail = NULL, err[512];
	int ret;

	memset(j, 0, sizeof(*j));
	j->item = it;
	j->fd[0] = j->fd[1] = j->fd[2] = j->fd[3] = -1;
	j->in = j->dst_out = j->dst_in = -1;
	j->mig.drv_fd = -1;
	j->end = END_EXITED;
	j->migrates = mig_wanted(it->test);
	r->ran = true;
	r->migrates = j->migrates;
	if (rn->o->on_event)
		rn->o->on_event("start", it->test->name, rn->o->on_event_arg);
	if (rn->o->log_dir) {
		j->log = log_open(rn->o->log_dir, it->test->name, &r->log_path);
		if (j->log)
			log_header(j->log, it->test->name, &r->argv,
				   accel_name(r->accel), it->timeout);
	}
	j->start = now_s();
	j->deadline = j->start + it->timeout;
	rn->running++;
	if (j->migrates) {
		if (mig_init(&j->mig, err, sizeof(err))) {
			detail = xstrdup(err);
			goto fail;
		}
		/* the source too has a QMP socket: the first migration's */
		mig_argv(&j->mig, &r->argv, &argv);
	}
	ret = spawn(rn, j->migrates ? argv.v : r->argv.v, &j->pid, &j->fd[1],
		    &j->fd[2], j->migrates ? &j->in : NULL, &detail);
	strv_free(&argv);
	if (ret && j->pid > 0) {
		/* forked, but exec failed: the child is reaped as usual */
		j->end = END_EXEC_FAILED;
		j->detail = detail;
		return 0;
	}
	if (!ret) {
		if (j->migrates)
			destination_start(rn, j);
		return 0;
	}
fail:
	j->end = END_EXEC_FAILED;
	j->detail = detail;
	j->exited = true;
	j->pid = -1;
	return -1;
}

/* The destination's stderr, read to its end (it exited or was killed). */
static void drain_dst_err(struct runner *rn, struct job *j)
{
	struct pollfd p = { .fd = j->fd[3], .events = POLLIN };

	while (j->fd[3] >= 0 && poll(&p, 1, MIG_EOF_WAIT_MS) > 0)
		read_stream(rn, j, 3);
	flush_partial(rn, j, 3);
	close_fd(j, 3);
}

/* Ends the migration in flight, if any: the driver and the destination. */
static void migration_abort(struct runner *rn, struct job *j)
{
	mig_driver_stop(&j->mig);
	if (j->dst_pid > 0) {
		kill(-j->dst_pid, SIGKILL);
		drain_dst_err(rn, j);
		while (waitpid(j->dst_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	j->dst_pid = 0;
	close_int(&j->dst_out);
	close_int(&j->dst_in);
	close_fd(j, 3);
}

/* A migration failed: the test fails with why, and both QEMUs end. */
static void migration_failed(struct runner *rn, struct job *j, const char *why)
{
	char *detail;

	migration_abort(rn, j);
	/* Already ended (a timeout killed both QEMUs, and so the driver's
	 * QMP connections): the first reason stands, and mig.active stays
	 * for mig_verdict() to name the migration it cut short. */
	if (j->end != END_EXITED)
		return;
	detail = xasprintf("migration %u failed: %s%s%s", j->mig.done + 1, why,
			   j->dst_last ? "; destination's last words: " : "",
			   j->dst_last ? j->dst_last : "");
	j->mig.active = false;
	if (j->log)
		fprintf(j->log, "# %s\n", detail);
	stop(j, END_FATAL, detail, SIGTERM);
	free(detail);
}

/* Starts the destination of the next migration before the guest asks:
 * QEMU's start-up is then off the migration's path. Returns 0, or -1
 * after failing the test. */
static int destination_start(struct runner *rn, struct job *j)
{
	struct strv argv = { 0 };
	char *detail = NULL, *why;
	int ret;

	if (j->dst_pid > 0)
		return 0;
	if (j->log)
		fprintf(j->log, "# migration %u: starting the destination\n",
			j->mig.done + 1);
	mig_argv(&j->mig, &j->item->res.argv, &argv);
	ret = spawn(rn, argv.v, &j->dst_pid, &j->dst_out, &j->fd[3], &j->dst_in,
		    &detail);
	strv_free(&argv);
	if (!ret)
		return 0;
	why = xasprintf("the destination QEMU: %s", detail);
	free(detail);
	if (j->dst_pid > 0)
		while (waitpid(j->dst_pid, NULL, 0) < 0 && errno == EINTR)
			;
	j->dst_pid = 0;
	migration_failed(rn, j, why);
	free(why);
	return -1;
}

static void migration_asked(struct runner *rn, struct job *j)
{
	if (j->end != END_EXITED || j->exited)
		return;
	if (!j->migrates) {
		stop(j, END_FATAL,
		     "the guest asked to migrate (" MIG_NOW_LINE ") but the test is not in the "
		     MIG_GROUP " group", SIGTERM);
		return;
	}
	if (j->mig.active) {
		migration_failed(rn, j, "the guest asked again before the first one completed");
		return;
	}
	if (destination_start(rn, j))
		return;
	if (j->log)
		fprintf(j->log, "# migration %u: asked\n", j->mig.done + 1);
	j->mig.active = true;
	j->mig.started = now_s();
	/* the launcher's own timeout comes first and names the migration */
	if (mig_driver_start(&j->mig, j->deadline + RUN_TERM_GRACE_S, &rn->oldmask)) {
		char *why = xasprintf("cannot start the migration driver: %s",
				      strerror(errno));

		migration_failed(rn, j, why);
		free(why);
	}
}

/* The source's output, read until its pipes close (it was killed). */
static void drain_to_eof(struct runner *rn, struct job *j, int s)
{
	struct pollfd p = { .fd = j->fd[s], .events = POLLIN };

	while (j->fd[s] >= 0 && poll(&p, 1, MIG_EOF_WAIT_MS) > 0)
		read_stream(rn, j, s);
	flush_partial(rn, j, s);
	close_fd(j, s);
}

/* The migration completed and the destination runs: end the source, read
 * the destination's console instead and let the guest go on. */
static void migration_switch(struct runner *rn, struct job *j)
{
	ssize_t w;

	/* stopped since the migration completed: all it printed is in the pipes */
	kill(-j->pid, SIGKILL);
	drain_to_eof(rn, j, 1);
	drain_to_eof(rn, j, 2);
	while (waitpid(j->pid, NULL, 0) < 0 && errno == EINTR)
		;
	close_int(&j->in);
	j->pid = j->dst_pid;
	j->dst_pid = 0;
	j->fd[1] = j->dst_out;
	j->fd[2] = j->fd[3];
	j->lb[2] = j->lb[3];
	j->lb[3].len = 0;
	j->lb[3].cont = false;
	j->fd[3] = -1;
	j->in = j->dst_in;
	j->dst_out = j->dst_in = -1;
	free(j->dst_last);
	j->dst_last = NULL;
	if (j->log)
		fprintf(j->log, "# migration %u: completed in %.2fs, the destination runs the guest\n",
			j->mig.done + 1, now_s() - j->mig.started);
	mig_switched(&j->mig, now_s());
	do
		w = write(j->in, MIG_GO_BYTE, 1);
	while (w < 0 && errno == EINTR);
	/* a destination that died now shows as its own crash */
	if (w != 1 && j->log)
		fprintf(j->log, "# migration %u: cannot write the go-on byte: %s\n",
			j->mig.done, strerror(errno));
	else
		destination_start(rn, j);	/* for the next hop, if any */
}

static void migration_progress(struct runner *rn, struct job *j)
{
	char was[sizeof(j->mig.status)];
	int r;

	memcpy(was, j->mig.status, sizeof(was));
	r = mig_driver_read(&j->mig);
	if (j->log && strcmp(was, j->mig.status))
		fprintf(j->log, "# migration %u: %s after %.2fs\n", j->mig.done + 1,
			j->mig.status, now_s() - j->mig.started);

	if (r > 0)
		migration_switch(rn, j);
	else if (r < 0)
		migration_failed(rn, j, j->mig.error);
}

/* One result out: TAP (or --brief), the JUnit hook, the summary counts. */
static void print_result(struct runner *rn, struct run_item *it)
{
	progress_clear(&rn->progress);
	tap_print(rn->o->tap, rn->o->style, ++rn->printed, &it->res);
	tap_count(&rn->sum->counts, &it->res);
	if (rn->o->on_result)
		rn->o->on_result(&it->res, rn->o->on_result_arg);
}

static void print_ready(struct runner *rn)
{
	FILE *tap = rn->o->tap;

	while (rn->next_print < rn->n && rn->done[rn->next_print]) {
		struct run_item *it = &rn->items[rn->next_print++];

		print_result(rn, it);
		if (fflush(tap) == EOF || ferror(tap))
			rn->sum->output_error = true;
		/* printed: its report lines need not stay in memory */
		guest_output_free(&it->res.gout);
	}
}

static void account(struct runner *rn, struct run_item *it)
{
	bool failed = it->res.verdict.kind == VERDICT_FAIL;

	if (failed)
		rn->sum->failed++;
	progress_finished(&rn->progress, it->test->name, failed);
}

static void finish(struct runner *rn, struct job *j)
{
	struct run_item *it = j->item;
	struct test_result *r = &it->res;

	kill_group(j, SIGKILL);	/* whatever QEMU left behind in its group */
	close_fd(j, 1);
	close_fd(j, 2);
	close_int(&j->in);
	r->secs = now_s() - j->start;
	r->end.kind = j->end;
	r->end.detail = j->detail;
	j->detail = NULL;
	r->end.timeout = it->timeout;
	r->end.cap = rn->o->output_cap;
	if (j->end == END_EXITED) {
		if (WIFSIGNALED(j->wstatus)) {
			r->end.kind = END_SIGNALED;
			r->end.code = WTERMSIG(j->wstatus);
		} else {
			r->end.code = WEXITSTATUS(j->wstatus);
		}
	}
	verdict_decide(&r->gout, &r->end, &it->vctx, &r->verdict);
	if (j->migrates) {
		mig_verdict(&j->mig, true, &r->end, &r->verdict);
		migration_abort(rn, j);
		r->migrations = j->mig.done;
		r->migration_secs = j->mig.secs;
		mig_cleanup(&j->mig);
		free(j->dst_last);
		j->dst_last = NULL;
	}
	if (j->log) {
		bool bad;

		log_footer(j->log, r);
		errno = 0;
		bad = ferror(j->log);
		/* a full or failing log folder: say so, the results still go out */
		if (fclose(j->log) || bad) {
			progress_clear(&rn->progress);
			fprintf(stderr, "kvm-unit-tests: %s: %s; the log is incomplete\n",
				r->log_path, strerror(errno ? errno : EIO));
		}
		j->log = NULL;
	}
	rn->done[it - rn->items] = true;
	j->pid = 0;
	j->item = NULL;
	rn->running--;
	rn->used -= j->slots;
	if (rn->o->on_event)
		rn->o->on_event("done", it->test->name, rn->o->on_event_arg);
	account(rn, it);
}

/* A destination that exits before it took over fails the migration. */
static void reap_destination(struct runner *rn, struct job *j)
{
	int ws;
	char *why;
	pid_t r = waitpid(j->dst_pid, &ws, WNOHANG);

	if (r != j->dst_pid)
		return;
	j->dst_pid = 0;
	drain_dst_err(rn, j);
	if (j->end != END_EXITED)
		return;	/* the launcher ended it: the first reason stands */
	if (WIFSIGNALED(ws))
		why = xasprintf("the destination QEMU was killed by signal %d before the migration completed",
				WTERMSIG(ws));
	else
		why = xasprintf("the destination QEMU exited with status %d before the migration completed",
				WEXITSTATUS(ws));
	migration_failed(rn, j, why);
	free(why);
}

static void reap(struct runner *rn)
{
	for (size_t i = 0; i < rn->o->jobs; i++) {
		struct job *j = &rn->jobs[i];
		pid_t r;

		if (j->pid <= 0 || j->exited)
			continue;
		r = waitpid(j->pid, &j->wstatus, WNOHANG);
		if (r == j->pid || (r < 0 && errno == ECHILD)) {
			j->exited = true;
			j->eof_at = now_s() + RUN_EOF_GRACE_S;
		}
		if (j->dst_pid > 0 && !j->exited)
			reap_destination(rn, j);
	}
}

/* Deadlines passed: timeouts, kill after TERM, EXIT line without exit,
 * pipes left open by something QEMU spawned. Returns the next one. */
static double check_deadlines(struct runner *rn)
{
	double t = now_s(), next = t + 3600;

	for (size_t i = 0; i < rn->o->jobs; i++) {
		struct job *j = &rn->jobs[i];

		if (!j->item)
			continue;
		if (!j->exited && j->end == END_EXITED) {
			if (t >= j->deadline)
				stop(j, END_TIMEOUT, NULL, SIGTERM);
			else if (j->linger_at && t >= j->linger_at)
				stop(j, END_LINGER, NULL, SIGKILL);
		}
		if (!j->exited && j->kill_at && t >= j->kill_at) {
			kill_group(j, SIGKILL);
			j->kill_at = 0;
		}
		if (j->exited && t >= j->eof_at) {
			kill_group(j, SIGKILL);
			flush_partial(rn, j, 1);
			flush_partial(rn, j, 2);
			close_fd(j, 1);
			close_fd(j, 2);
		}
		if (!j->exited && j->end == END_EXITED) {
			if (j->deadline < next)
				next = j->deadline;
			if (j->linger_at && j->linger_at < next)
				next = j->linger_at;
		}
		if (!j->exited && j->kill_at && j->kill_at < next)
			next = j->kill_at;
		if (j->exited && j->eof_at < next)
			next = j->eof_at;
	}
	return next;
}

static void draw(struct runner *rn)
{
	const char *names[64];
	size_t n = 0;

	for (size_t i = 0; i < rn->o->jobs && n < 64; i++)
		if (rn->jobs[i].item)
			names[n++] = rn->jobs[i].item->test->name;
	progress_draw(&rn->progress, names, n);
}

static void skip_item(struct runner *rn, struct run_item *it)
{
	if (rn->o->log_dir) {
		FILE *f = log_open(rn->o->log_dir, it->test->name, &it->res.log_path);

		if (f) {
			log_footer(f, &it->res);
			fclose(f);
		}
	}
	rn->done[it - rn->items] = true;
	account(rn, it);
}

/* Starts, in rn->o->order, every item whose slots fit in what is left of
 * the budget; a smaller one may pass a larger one that must wait. */
static void start_more(struct runner *rn)
{
	for (size_t k = 0; k < rn->n && rn->nstarted < rn->n; k++) {
		size_t idx = rn->o->order ? rn->o->order[k] : k;
		struct run_item *it = &rn->items[idx];
		struct job *j = NULL;
		unsigned slots;

		if (rn->started[idx])
			continue;
		if (it->skip) {
			rn->started[idx] = true;
			rn->nstarted++;
			skip_item(rn, it);
			continue;
		}
		slots = cost_slots(it->smp, rn->o->jobs);
		if (rn->used + slots > rn->o->jobs)
			continue;
		for (size_t i = 0; i < rn->o->jobs && !j; i++)
			if (!rn->jobs[i].item)
				j = &rn->jobs[i];
		rn->started[idx] = true;
		rn->nstarted++;
		start(rn, j, it);
		j->slots = slots;
		rn->used += slots;
	}
}

/* A test cut short by the interruption: a failure of its own, reported
 * with the others (issue 16 item 2), never silently dropped. */
static void cut_short(struct runner *rn, struct job *j, const char *why)
{
	struct run_item *it = j->item;
	struct test_result *r = &it->res;

	r->secs = now_s() - j->start;
	run_end_free(&r->end);
	r->end.kind = END_INTERRUPTED;
	r->end.detail = xasprintf("%s after %.2fs, while the test was running",
				  why, r->secs);
	verdict_free(&r->verdict);
	verdict_decide(&r->gout, &r->end, &it->vctx, &r->verdict);
	if (j->log) {
		fputs("# interrupted\n", j->log);
		log_footer(j->log, r);
		fclose(j->log);
		j->log = NULL;
	}
	rn->done[it - rn->items] = true;
	account(rn, it);
}

static void interrupt(struct runner *rn, const char *why)
{
	for (size_t i = 0; i < rn->o->jobs; i++) {
		struct job *j = &rn->jobs[i];

		if (!j->item)
			continue;
		kill_group(j, SIGKILL);
		if (j->pid > 0 && !j->exited)
			while (waitpid(j->pid, &j->wstatus, 0) < 0 && errno == EINTR)
				;
		if (j->migrates) {
			migration_abort(rn, j);
			j->item->res.migrations = j->mig.done;
			j->item->res.migration_secs = j->mig.secs;
			mig_cleanup(&j->mig);
			free(j->dst_last);
		}
		close_int(&j->in);
		close_fd(j, 1);
		close_fd(j, 2);
		cut_short(rn, j, why);
		free(j->detail);
		memset(j, 0, sizeof(*j));
	}
	rn->running = 0;
	rn->sum->interrupted = true;
	/* the finished results, even past a test that was cut short */
	for (size_t i = rn->next_print; i < rn->n; i++) {
		if (!rn->done[i])
			continue;
		print_result(rn, &rn->items[i]);
	}
	progress_clear(&rn->progress);
	tap_bail_out(rn->o->tap, rn->o->style, why);
	if (fflush(rn->o->tap) == EOF)
		rn->sum->output_error = true;
}

static bool handle_signals(struct runner *rn)
{
	struct signalfd_siginfo si;
	bool stop_all = false;

	while (read(rn->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGCHLD)
			continue;
		if (!stop_all)
			rn->sum->signal = (int)si.ssi_signo;
		stop_all = true;
	}
	return stop_all;
}

static void loop(struct runner *rn)
{
	/* per job: stdout, stderr, a destination's stderr, a migration
	 * driver; and the TAP output */
	struct pollfd *pfd = xcalloc(4 * rn->o->jobs + 2, sizeof(*pfd));
	struct job **owner = xcalloc(4 * rn->o->jobs + 2, sizeof(*owner));
	int tapfd = fileno(rn->o->tap);

	start_more(rn);
	print_ready(rn);
	while (rn->running || rn->nstarted < rn->n) {
		double next, wait;
		size_t np = 0;
		int timeout_ms;

		draw(rn);
		pfd[np++] = (struct pollfd){ .fd = rn->sigfd, .events = POLLIN };
		/* A pipe whose reader is gone (| head -1) polls POLLERR: stop
		 * at once, not when the next result fails to be written. */
		pfd[np++] = (struct pollfd){ .fd = tapfd, .events = 0 };
		for (size_t i = 0; i < rn->o->jobs; i++) {
			for (int s = 1; s <= 3; s++) {
				if (!rn->jobs[i].item || rn->jobs[i].fd[s] < 0)
					continue;
				owner[np] = &rn->jobs[i];
				pfd[np++] = (struct pollfd){ .fd = rn->jobs[i].fd[s],
							     .events = POLLIN };
			}
			if (rn->jobs[i].item && rn->jobs[i].mig.drv_fd >= 0) {
				owner[np] = &rn->jobs[i];
				pfd[np++] = (struct pollfd){ .fd = rn->jobs[i].mig.drv_fd,
							     .events = POLLIN };
			}
		}
		next = check_deadlines(rn);
		wait = next - now_s();
		timeout_ms = wait <= 0 ? 0 : wait > 1000 ? 1000000 : (int)(wait * 1000) + 1;
		if (poll(pfd, np, timeout_ms) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLERR)
			rn->sum->output_error = true;
		if (rn->sum->output_error) {
			interrupt(rn, "standard output closed");
			rn->sum->interrupted = false;
			break;
		}
		if (pfd[0].revents && handle_signals(rn)) {
			char why[64];

			snprintf(why, sizeof(why), "interrupted by SIG%s",
				 sigabbrev_np(rn->sum->signal) ?
				 sigabbrev_np(rn->sum->signal) : "?");
			interrupt(rn, why);
			break;
		}
		for (size_t k = 2; k < np; k++) {
			struct job *j = owner[k];

			if (!pfd[k].revents || !j->item)
				continue;
			if (pfd[k].fd == j->mig.drv_fd)
				migration_progress(rn, j);
			else if (pfd[k].fd == j->fd[1])
				read_stream(rn, j, 1);
			else if (pfd[k].fd == j->fd[2])
				read_stream(rn, j, 2);
			else if (pfd[k].fd == j->fd[3])
				read_stream(rn, j, 3);
		}
		reap(rn);
		check_deadlines(rn);
		for (size_t i = 0; i < rn->o->jobs; i++) {
			struct job *j = &rn->jobs[i];

			if (j->item && j->exited && j->fd[1] < 0 && j->fd[2] < 0)
				finish(rn, j);
		}
		start_more(rn);
		print_ready(rn);
		if (rn->sum->output_error) {
			interrupt(rn, "standard output closed");
			rn->sum->interrupted = false;
			break;
		}
	}
	progress_clear(&rn->progress);
	free(pfd);
	free(owner);
}

void run_all(struct run_item *items, size_t n, const struct run_opts *o,
	     struct run_summary *sum)
{
	struct runner rn = { .o = o, .items = items, .n = n, .sum = sum };
	sigset_t mask;

	memset(sum, 0, sizeof(*sum));
	rn.done = xcalloc(n, sizeof(*rn.done));
	rn.started = xcalloc(n, sizeof(*rn.started));
	rn.jobs = xcalloc(o->jobs, sizeof(*rn.jobs));
	progress_init(&rn.progress, n, o->progress);

	/* Signals arrive through a signalfd polled with the pipes: no
	 * handler, no global state. The children get the old mask back. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &rn.oldmask);
	rn.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (rn.sigfd < 0) {
		fprintf(stderr, "kvm-unit-tests: signalfd: %s\n", strerror(errno));
		exit(3);
	}
	loop(&rn);
	close(rn.sigfd);
	sigprocmask(SIG_SETMASK, &rn.oldmask, NULL);
	free(rn.done);
	free(rn.started);
	free(rn.jobs);
}
