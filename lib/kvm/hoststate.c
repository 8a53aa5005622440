// SPDX-License-Identifier: GPL-2.0
/*
 * Host knobs changed for a run and restored on every exit path (see
 * include/kvm/hoststate.h).  The ledger code uses raw system calls and fixed
 * buffers only: the guardian runs it in a child forked from a process
 * that may have other threads, where malloc and stdio are unsafe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hoststate.h"
#include "test_util.h"

#define MAX_CLAIMS	64
#define MAX_KNOBS	8
#define PATH_LEN	192
#define LEDGER_LEN	8192
/* How long a guardian waits for its owner to be a zombie. */
#define GUARDIAN_WAIT_MS	5000

struct claim {
	int pid;
	uint64_t start;		/* /proc/<pid>/stat starttime: pid reuse */
	uint64_t amount;
};

struct ledger {
	char knob[PATH_LEN];
	bool have_orig;
	uint64_t orig, base;
	unsigned int n;
	struct claim c[MAX_CLAIMS];
};

/* This process's claims (a forked child starts with none). */
static struct {
	pid_t pid;
	char knobs[MAX_KNOBS][PATH_LEN];
	unsigned int nr;
	int guardian_fd;
} me = { .guardian_fd = -1 };

static const char *state_dir(void)
{
	const char *d = getenv("GMEMSUITE_STATE_DIR");

	return d && *d ? d : "/run/gmemsuite";
}

/* mkdir -p (a minimal initramfs has no /run). */
static int mkdir_p(const char *dir)
{
	char buf[PATH_LEN];
	char *p;

	snprintf(buf, sizeof(buf), "%s", dir);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) && errno != EEXIST ? -1 : 0;
}

/* <state dir>/<knob path, '/' as '_'>.ledger */
static void ledger_path(const char *knob, char *buf, size_t len)
{
	size_t n = snprintf(buf, len, "%s/", state_dir()), i;

	for (i = 0; knob[i] && n + 8 < len; i++)
		buf[n++] = knob[i] == '/' ? '_' : knob[i];
	snprintf(buf + n, len - n, ".ledger");
}

static ssize_t read_all(int fd, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r;

	while (got < len - 1 && (r = read(fd, buf + got, len - 1 - got)) > 0)
		got += r;
	buf[got] = '\0';
	return got;
}

static bool knob_read(const char *path, uint64_t *v)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool ok;

	if (fd < 0)
		return false;
	ok = read_all(fd, buf, sizeof(buf)) > 0;
	close(fd);
	*v = strtoull(buf, NULL, 10);
	return ok;
}

static int knob_write(const char *path, uint64_t v)
{
	char buf[32];
	int fd = open(path, O_WRONLY | O_CLOEXEC), n, err = 0;

	if (fd < 0)
		return errno;
	n = snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)v);
	if (write(fd, buf, n) != n)
		err = errno ? errno : EIO;
	close(fd);
	return err;
}

/*
 * Field 22 of /proc/<pid>/stat; 0 when the process is gone or has
 * exited (a zombie, state Z or X): its claims died with it, although its
 * pid stays until its parent reaps it.  Two claimers killed at once are
 * both zombies while their guardians run, and each guardian would count
 * the other's claim as live: the pool stayed grown with a dead claim.
 */
static uint64_t proc_start(int pid)
{
	char path[48], buf[1024], *p;
	unsigned int field;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	read_all(fd, buf, sizeof(buf));
	close(fd);
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	/* After "(comm)": field 3 onwards, space separated. */
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

static void ledger_parse(const char *buf, struct ledger *l)
{
	const char *line = buf;

	memset(l, 0, sizeof(*l));
	while (line && *line) {
		unsigned long long a, b, c;
		int pid;

		if (sscanf(line, "knob %191s", l->knob) == 1)
			;
		else if (sscanf(line, "orig %llu", &a) == 1)
			l->orig = a, l->have_orig = true;
		else if (sscanf(line, "base %llu", &a) == 1)
			l->base = a;
		else if (sscanf(line, "claim %d %llu %llu", &pid, &b, &c) == 3 &&
			 l->n < MAX_CLAIMS)
			l->c[l->n++] = (struct claim){ pid, b, c };
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

static int ledger_store(int fd, const struct ledger *l)
{
	char buf[LEDGER_LEN];
	size_t n;
	unsigned int i;

	n = snprintf(buf, sizeof(buf), "knob %s\norig %llu\nbase %llu\n",
		     l->knob, (unsigned long long)l->orig,
		     (unsigned long long)l->base);
	for (i = 0; i < l->n && n < sizeof(buf); i++)
		n += snprintf(buf + n, sizeof(buf) - n, "claim %d %llu %llu\n",
			      l->c[i].pid, (unsigned long long)l->c[i].start,
			      (unsigned long long)l->c[i].amount);
	if (ftruncate(fd, 0) || pwrite(fd, buf, n, 0) != (ssize_t)n)
		return errno ? errno : EIO;
	return 0;
}

/*
 * Open and lock the knob's ledger.  A ledger unlinked by its last user
 * while we waited for the lock is stale: open the new one.
 */
static int ledger_lock(const char *knob, char *lpath, size_t len,
		       struct ledger *l)
{
	char buf[LEDGER_LEN];
	struct stat a, b;
	int fd;

	if (mkdir_p(state_dir()))
		return -1;
	ledger_path(knob, lpath, len);
	for (;;) {
		fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
		if (flock(fd, LOCK_EX)) {
			close(fd);
			return -1;
		}
		if (!fstat(fd, &a) && !stat(lpath, &b) && a.st_ino == b.st_ino)
			break;
		close(fd);
	}
	read_all(fd, buf, sizeof(buf));
	ledger_parse(buf, l);
	snprintf(l->knob, sizeof(l->knob), "%s", knob);
	return fd;
}

/* Drop claims of processes that are gone (or of pid, if pid > 0). */
static unsigned int ledger_drop(struct ledger *l, int pid, bool report)
{
	unsigned int i, kept = 0, dropped = 0;

	for (i = 0; i < l->n; i++) {
		const struct claim *c = &l->c[i];
		bool gone = c->pid == pid || proc_start(c->pid) != c->start;

		if (!gone) {
			l->c[kept++] = *c;
			continue;
		}
		dropped++;
		if (report && c->pid != pid)
			fprintf(stderr, "gmemsuite: %s: dropped the claim of pid"
				" %d (%llu), whose process is gone\n", l->knob,
				c->pid, (unsigned long long)c->amount);
	}
	l->n = kept;
	return dropped;
}

static uint64_t ledger_target(const struct ledger *l)
{
	uint64_t sum = 0;
	unsigned int i;

	for (i = 0; i < l->n; i++)
		sum += l->c[i].amount;
	return l->orig + (sum > l->base ? sum - l->base : 0);
}

/*
 * Set the knob for the claims left: the original value (and forget the
 * ledger) when there are none.  Called with the ledger locked.
 */
static int knob_set(const char *path, uint64_t v)
{
	uint64_t now;

	/* Only a change is written (see knob_claim()). */
	if (knob_read(path, &now) && now == v)
		return 0;
	return knob_write(path, v);
}

static int ledger_apply(int fd, const char *lpath, struct ledger *l)
{
	int err;

	if (!l->n) {
		err = l->have_orig ? knob_set(l->knob, l->orig) : 0;
		unlink(lpath);
		return err;
	}
	err = knob_set(l->knob, ledger_target(l));
	return ledger_store(fd, l) ?: err;
}

/* Release pid's claims on knob (pid's process may be gone). */
static void release_pid(const char *knob, int pid)
{
	char lpath[PATH_LEN + 64];
	struct ledger l;
	int fd = ledger_lock(knob, lpath, sizeof(lpath), &l);

	if (fd < 0)
		return;
	ledger_drop(&l, pid, false);
	ledger_apply(fd, lpath, &l);
	close(fd);
}

/* Release owner's claims in every ledger of the state directory. */
static void release_all_of(int owner)
{
	char dirents[4096], lpath[PATH_LEN + 64], buf[LEDGER_LEN];
	struct ledger l;
	long n, off;
	int dir, fd;

	dir = open(state_dir(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return;
	/* getdents64, not readdir: no malloc in a child of threads. */
	while ((n = syscall(SYS_getdents64, dir, dirents, sizeof(dirents))) > 0) {
		for (off = 0; off < n;) {
			struct linux_dirent64 {
				uint64_t ino;
				int64_t off;
				unsigned short reclen;
				unsigned char type;
				char name[];
			} *d = (void *)(dirents + off);
			size_t len = strlen(d->name);

			off += d->reclen;
			if (len < 8 || strcmp(d->name + len - 7, ".ledger"))
				continue;
			snprintf(lpath, sizeof(lpath), "%s/%s", state_dir(),
				 d->name);
			fd = open(lpath, O_RDONLY | O_CLOEXEC);
			if (fd < 0)
				continue;
			/* Locked: a writer truncates before it writes. */
			flock(fd, LOCK_SH);
			read_all(fd, buf, sizeof(buf));
			close(fd);
			ledger_parse(buf, &l);
			if (l.knob[0])
				release_pid(l.knob, owner);
		}
	}
	close(dir);
}

/*
 * The guardian: waits on a pipe whose other end only its owner holds
 * (and the owner's forked children), then releases what it left.
 */
static void __noreturn guardian(int rfd, int owner, uint64_t start)
{
	char c;
	int fd, i;

	setsid();
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* Hold nothing of the owner's (pipes, VMs, guest memory). */
	fd = open("/dev/null", O_RDWR);
	for (i = 0; i < 3; i++)
		dup2(fd, i);
	for (i = 3; i < 1024; i++)
		if (i != rfd)
			close(i);
	for (;;) {
		ssize_t r = read(rfd, &c, 1);

		if (r > 0 || (r < 0 && errno == EINTR))
			continue;
		break;	/* EOF: the owner (and its children) ended */
	}
	/*
	 * The pipe closes in do_exit() before the owner is a zombie: wait
	 * until it is one (or gone), so that whichever guardian releases
	 * last sees every other dead claimer as gone.  An owner that closed
	 * the pipe by exec lives on: give up waiting after a while.
	 */
	for (i = 0; start && i < GUARDIAN_WAIT_MS &&
		    proc_start(owner) == start; i++)
		usleep(1000);
	release_all_of(owner);
	_exit(0);
}

/* Fork the guardian (twice: it must not be our child to reap). */
static void guardian_start(void)
{
	int p[2], owner = getpid();
	uint64_t start = proc_start(owner);
	pid_t mid;

	if (pipe(p))
		return;
	mid = fork();
	if (mid == 0) {
		close(p[1]);
		if (fork() == 0)
			guardian(p[0], owner, start);
		_exit(0);
	}
	close(p[0]);
	if (mid < 0) {
		close(p[1]);
		return;
	}
	waitpid(mid, NULL, 0);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	me.guardian_fd = p[1];
}

/* Remember knob as ours; the first one starts the guardian. */
static void remember(const char *knob)
{
	unsigned int i;

	for (i = 0; i < me.nr; i++)
		if (!strcmp(me.knobs[i], knob))
			return;
	if (me.nr == MAX_KNOBS)
		return;
	snprintf(me.knobs[me.nr++], PATH_LEN, "%s", knob);
	if (me.guardian_fd < 0)
		guardian_start();
}

/* Claims belong to a process: a forked child starts with none. */
static void own_process(void)
{
	if (me.pid == getpid())
		return;
	if (me.guardian_fd >= 0)
		close(me.guardian_fd);
	memset(&me, 0, sizeof(me));
	me.pid = getpid();
	me.guardian_fd = -1;
}

static void describe_others(const struct ledger *l, int self,
			    struct knob_claim_result *res)
{
	size_t n = 0;
	unsigned int i;

	for (i = 0; i < l->n; i++) {
		if (l->c[i].pid == self)
			continue;
		res->others += l->c[i].amount;
		res->nr_others++;
		if (n < sizeof(res->other_pids))
			n += snprintf(res->other_pids + n,
				      sizeof(res->other_pids) - n,
				      "%spid %d (%llu)", n ? ", " : "",
				      l->c[i].pid,
				      (unsigned long long)l->c[i].amount);
	}
}

int knob_claim(const char *path, uint64_t amount, const char *base_path,
	       struct knob_claim_result *res)
{
	char lpath[PATH_LEN + 64];
	struct ledger l;
	uint64_t now, base = 0;
	int fd, err;

	own_process();
	memset(res, 0, sizeof(*res));
	if (strlen(path) >= PATH_LEN)
		return ENAMETOOLONG;
	fd = ledger_lock(path, lpath, sizeof(lpath), &l);
	if (fd < 0)
		return errno;
	ledger_drop(&l, 0, true);
	if (!knob_read(path, &now)) {
		err = errno ? errno : ENOENT;
		close(fd);
		return err;
	}
	if (!l.n && l.have_orig && now != l.orig) {
		/* Every claimer died without a guardian: put it back first. */
		fprintf(stderr, "gmemsuite: %s: restoring %llu left by runs "
			"that are gone to its original %llu\n", path,
			(unsigned long long)now, (unsigned long long)l.orig);
		knob_write(path, l.orig);
		now = l.orig;
	}
	if (!l.n) {
		/* Head room as it is now, after any repair above. */
		if (base_path)
			knob_read(base_path, &base);
		l.orig = now;
		l.have_orig = true;
		l.base = base;
	}
	if (l.n == MAX_CLAIMS) {
		close(fd);
		return EUSERS;
	}
	l.c[l.n++] = (struct claim){ getpid(), proc_start(getpid()), amount };
	remember(path);
	res->orig = l.orig;
	res->target = ledger_target(&l);
	/*
	 * Write only a change: a 1G pool that cannot grow at runtime (no
	 * CONFIG_CONTIG_ALLOC) refuses any write, even of its own size.
	 */
	err = res->target == now ? 0 : knob_write(path, res->target);
	knob_read(path, &res->value);
	describe_others(&l, getpid(), res);
	err = ledger_store(fd, &l) ?: err;
	close(fd);
	return err;
}

bool knob_ledger_view(const char *path, int pid, struct knob_ledger *v)
{
	char lpath[PATH_LEN + 64], buf[LEDGER_LEN];
	struct ledger l;
	unsigned int i;
	int fd;

	memset(v, 0, sizeof(*v));
	ledger_path(path, lpath, sizeof(lpath));
	fd = open(lpath, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	flock(fd, LOCK_SH);
	read_all(fd, buf, sizeof(buf));
	/* Under the lock: claimers write the knob holding it exclusively. */
	v->have_value = knob_read(path, &v->value);
	close(fd);
	ledger_parse(buf, &l);
	if (!l.have_orig)
		return false;
	/* Claims of processes that are gone do not count (not dropped). */
	for (i = 0; i < l.n; i++) {
		if (proc_start(l.c[i].pid) != l.c[i].start)
			continue;
		l.c[v->nr++] = l.c[i];
		if (l.c[i].pid == pid)
			v->mine += l.c[i].amount;
	}
	l.n = v->nr;
	v->orig = l.orig;
	v->base = l.base;
	v->target = ledger_target(&l);
	return true;
}

void knob_release(const char *path)
{
	unsigned int i;

	if (me.pid != getpid())
		return;
	release_pid(path, me.pid);
	for (i = 0; i < me.nr; i++) {
		if (strcmp(me.knobs[i], path))
			continue;
		memmove(me.knobs[i], me.knobs[i + 1],
			(me.nr - i - 1) * sizeof(me.knobs[0]));
		me.nr--;
		break;
	}
}

void hoststate_release_all(void)
{
	static volatile sig_atomic_t busy;

	if (me.pid != getpid() || busy)
		return;
	busy = 1;
	while (me.nr)
		knob_release(me.knobs[me.nr - 1]);
	busy = 0;
}
