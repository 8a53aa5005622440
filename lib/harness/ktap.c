// SPDX-License-Identifier: GPL-2.0
/*
 * KTAP harness: one forked child per case, verdict from its exit status,
 * per-case timeout, XFAIL through the known-issues file.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktap.h"
#include "kvm_util.h"
#include "vm_kind.h"
#include "test_util.h"

#define DEFAULT_CASE_TIMEOUT_S	120
#define REAP_TIMEOUT_S		30
#define REASON_LEN		512

int ktap_in_case;

/* MAP_SHARED: written by the case's child, read by the parent. */
static struct case_report {
	char skip_reason[REASON_LEN];
	unsigned int kinds_created;	/* bit per enum vm_kind */
} *report;

struct known_issue {
	char release[64];
	char test[64];
	char name[96];
	char reason[256];
	char fix[128];
};

static struct known_issue *known;
static unsigned int nr_known;

void ktap_set_skip_reason(const char *reason)
{
	if (report)
		snprintf(report->skip_reason, REASON_LEN, "%s", reason);
}

/*
 * Run fn in a child of the current case and return its kselftest status
 * (0, 1 or 4; 1 for a signal); a skip's reason goes to why and is
 * cleared from the case's report.
 */
int ktap_subcase(void (*fn)(void), char *why, size_t len)
{
	int status;
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	if (report)
		report->skip_reason[0] = 0;
	pid = fork();
	if (pid < 0)
		return KSFT_FAIL;
	if (!pid) {
		fn();
		fflush(stdout);
		_exit(KSFT_PASS);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	snprintf(why, len, "%s", report ? report->skip_reason : "");
	if (report)
		report->skip_reason[0] = 0;
	if (WIFSIGNALED(status)) {
		test_diag("terminated by signal %d (%s)", WTERMSIG(status),
			  strsignal(WTERMSIG(status)));
		return KSFT_FAIL;
	}
	return WEXITSTATUS(status);
}

/* --vm-type: the kind cases that need private memory create. */
static enum vm_kind opt_vm_kind = VM_KIND_SW_PROTECTED;
static bool opt_vm_kind_given;

enum vm_kind ktap_vm_kind(void)
{
	return opt_vm_kind;
}

bool ktap_vm_kind_given(void)
{
	return opt_vm_kind_given;
}

/* vm_created_hook: the kinds of VM the running case created. */
static void note_vm_kind(enum vm_kind kind)
{
	if (report && ktap_in_case)
		__atomic_or_fetch(&report->kinds_created, 1U << kind,
				  __ATOMIC_RELAXED);
}

/* test_skip_hook: a case's skip reason goes to its report line. */
static bool take_skip_reason(const char *reason)
{
	if (!ktap_in_case)
		return false;
	ktap_set_skip_reason(reason);
	return true;
}

/*
 * With --vm-type T, a case that created no VM of type T did not test T:
 * its pass (or known failure) is no answer for T.  NULL if it did.
 */
static const char *not_on_selected_kind(char *buf, size_t len)
{
	unsigned int k, created = report->kinds_created;
	size_t n;

	if (!opt_vm_kind_given || created & (1U << opt_vm_kind))
		return NULL;
	n = snprintf(buf, len, "created no %s VM (--vm-type %s): ",
		     vm_kind_info(opt_vm_kind)->name,
		     vm_kind_info(opt_vm_kind)->name);
	if (!created) {
		snprintf(buf + n, len - n, "a check without any VM");
		return buf;
	}
	n += snprintf(buf + n, len - n, "it runs on");
	for (k = 0; k < NR_VM_KINDS && n < len; k++)
		if (created & (1U << k))
			n += snprintf(buf + n, len - n, " %s",
				      vm_kind_info(k)->name);
	return buf;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		*--e = '\0';
	return s;
}

/*
 * known-issues: "release-glob | test | case | reason | fix", '#' comments.
 * Looked up in $GMEMSUITE_KNOWN_ISSUES, next to the binary, or two levels
 * up (the source tree, for build/tests/X).
 */
static FILE *open_known_issues(const char *argv0)
{
	char dir[4096], path[4200];
	const char *env = getenv("GMEMSUITE_KNOWN_ISSUES");
	FILE *f;

	if (env)
		return fopen(env, "re");
	if (!realpath(argv0, dir) && !realpath("/proc/self/exe", dir))
		return NULL;
	dirname(dir);
	snprintf(path, sizeof(path), "%s/known-issues", dir);
	f = fopen(path, "re");
	if (f)
		return f;
	snprintf(path, sizeof(path), "%s/../../known-issues", dir);
	return fopen(path, "re");
}

static void load_known_issues(const char *argv0, const char *test)
{
	struct utsname u;
	char line[1024];
	FILE *f = open_known_issues(argv0);

	if (!f)
		return;
	uname(&u);
	while (fgets(line, sizeof(line), f)) {
		char *field[5] = { 0 }, *p = line, *s;
		struct known_issue *k;
		int n = 0;

		if (*trim(line) == '#' || !*trim(line))
			continue;
		while (n < 5 && (s = strsep(&p, "|")))
			field[n++] = trim(s);
		if (n < 4 || strcmp(field[1], test) ||
		    fnmatch(field[0], u.release, 0))
			continue;
		known = realloc(known, (nr_known + 1) * sizeof(*known));
		if (!known)
			abort();
		k = &known[nr_known++];
		snprintf(k->release, sizeof(k->release), "%s", field[0]);
		snprintf(k->test, sizeof(k->test), "%s", field[1]);
		snprintf(k->name, sizeof(k->name), "%s", field[2]);
		snprintf(k->reason, sizeof(k->reason), "%s", field[3]);
		snprintf(k->fix, sizeof(k->fix), "%s", n > 4 ? field[4] : "");
	}
	fclose(f);
}

static const struct known_issue *find_known(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_known; i++)
		if (!fnmatch(known[i].name, name, 0))
			return &known[i];
	return NULL;
}

static unsigned int case_timeout(const struct ktap_case *c)
{
	const char *scale = getenv("GMEMSUITE_TIMEOUT_SCALE");
	unsigned int t = c->timeout_s ? c->timeout_s : DEFAULT_CASE_TIMEOUT_S;

	if (scale && atoi(scale) > 0)
		t *= atoi(scale);
	return t;
}

/*
 * Our children still running after the reap timeout (outside the case's
 * group: they called setsid or setpgid), from /proc/self/task/<tid>/
 * children: named and killed.
 */
static unsigned int kill_children_left(void)
{
	char path[64], buf[4096], comm[64];
	unsigned int n = 0;
	char *p, *end;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children",
		 (int)getpid());
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (p = buf; *p; p = end) {
		long pid = strtol(p, &end, 10);
		FILE *c;

		if (end == p)
			break;
		snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
		comm[0] = 0;
		c = fopen(path, "r");
		if (c) {
			if (!fgets(comm, sizeof(comm), c))
				comm[0] = 0;
			fclose(c);
		}
		comm[strcspn(comm, "\n")] = 0;
		test_diag("pid %ld (%s) outlived its case by %u s: killed",
			  pid, comm, REAP_TIMEOUT_S);
		kill(pid, SIGKILL);
		n++;
	}
	return n;
}

/* The running case's process group (0 between cases), for signals. */
static volatile pid_t case_pgid;

/*
 * After the case's process ended: kill what is left of its group and
 * reap every process of the case that came to us (subreaper): the
 * group's members and what they forked, guardians included (they exit
 * once the claims they watch are released).  Anything still there after
 * REAP_TIMEOUT_S is named and killed; the count of such is returned.
 */
static unsigned int reap_case(pid_t pgid)
{
	uint64_t deadline = now_ns() + REAP_TIMEOUT_S * 1000000000ULL;
	unsigned int reaped = 0, stuck = 0;
	int status;
	pid_t r;

	kill(-pgid, SIGKILL);
	for (;;) {
		r = waitpid(-1, &status, WNOHANG);
		if (r > 0) {
			reaped++;
			continue;
		}
		if (r < 0 && errno == ECHILD)
			break;
		if (now_ns() > deadline) {
			stuck += kill_children_left();
			deadline = now_ns() + REAP_TIMEOUT_S * 1000000000ULL;
			if (stuck > 64)
				break;
		}
		usleep(10000);
	}
	if (reaped)
		test_diag("reaped %u process(es) the case left", reaped);
	return stuck;
}

/* Wait for the child up to the timeout; kill it past that. */
static int wait_case(pid_t pid, unsigned int timeout_s, bool *timed_out)
{
	uint64_t deadline = now_ns() + timeout_s * 1000000000ULL;
	sigset_t set;
	int status;

	*timed_out = false;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (;;) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (now_ns() > deadline) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			return status;
		}
		sigtimedwait(&set, NULL, &ts);
	}
}

struct totals {
	unsigned int pass, fail, xfail, skip;
};

static void run_case(unsigned int idx, const struct ktap_case *c,
		     struct totals *t)
{
	const struct known_issue *k;
	char why[REASON_LEN];
	const char *other;
	bool timed_out;
	unsigned int stuck;
	int status, code;
	pid_t pid;

	memset(report, 0, sizeof(*report));
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		printf("not ok %u %s # fork failed: %s\n", idx, c->name,
		       errno_name(errno));
		t->fail++;
		return;
	}
	if (!pid) {
		sigset_t set;

		setpgid(0, 0);
		/* The harness killed outright: take the case with it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, SIGCHLD);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		free(known);	/* the parent's business */
		known = NULL;
		ktap_in_case = 1;
		c->fn();
		fflush(stdout);
		_exit(KSFT_PASS);
	}
	setpgid(pid, pid);	/* either of us may run first */
	case_pgid = pid;
	status = wait_case(pid, case_timeout(c), &timed_out);
	stuck = reap_case(pid);
	case_pgid = 0;
	if (timed_out) {
		test_diag("%s: killed after the %u s case timeout",
			  c->name, case_timeout(c));
		code = KSFT_FAIL;
	} else if (WIFSIGNALED(status)) {
		test_diag("%s: terminated by signal %d (%s)", c->name,
			  WTERMSIG(status), strsignal(WTERMSIG(status)));
		code = KSFT_FAIL;
	} else {
		code = WEXITSTATUS(status);
	}
	if (stuck) {
		test_diag("%s: %u process(es) outlived the case", c->name,
			  stuck);
		code = KSFT_FAIL;
	}

	other = not_on_selected_kind(why, sizeof(why));
	if (other && (code == KSFT_PASS ||
		      (code != KSFT_SKIP && find_known(c->name)))) {
		/* A pass or a known failure on another type: not for T. */
		ktap_set_skip_reason(other);
		code = KSFT_SKIP;
	} else if (other && code != KSFT_SKIP) {
		test_diag("%s: note: %s", c->name, other);
	}

	switch (code) {
	case KSFT_PASS:
		printf("ok %u %s\n", idx, c->name);
		if (find_known(c->name))
			test_diag("%s: listed in known-issues but passed "
				  "(fixed on this kernel?)", c->name);
		t->pass++;
		break;
	case KSFT_SKIP:
		printf("ok %u %s # SKIP %s\n", idx, c->name,
		       report->skip_reason[0] ? report->skip_reason :
		       "(no reason given)");
		t->skip++;
		break;
	default:
		k = find_known(c->name);
		if (k) {
			/*
			 * A SKIP directive naming XFAIL: KTAP parsers that
			 * know no XFAIL (kunit.py) must not count a known
			 * failure as a pass.
			 */
			printf("ok %u %s # SKIP XFAIL %s%s%s\n", idx, c->name,
			       k->reason, k->fix[0] ? "; fix: " : "", k->fix);
			t->xfail++;
		} else {
			printf("not ok %u %s\n", idx, c->name);
			t->fail++;
		}
	}
	fflush(stdout);
}

/*
 * SIGINT/SIGTERM/SIGHUP of the harness (Ctrl-C, a runner's timeout):
 * the running case's group goes first, then the harness, by the same
 * signal.
 */
static void harness_signal(int sig)
{
	if (case_pgid > 0)
		kill(-case_pgid, SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void harness_setup(void)
{
	/* Orphans of a case (grandchildren) come to us to be reaped. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	signal(SIGINT, harness_signal);
	signal(SIGTERM, harness_signal);
	signal(SIGHUP, harness_signal);
}

/* So that sigtimedwait() in wait_case() sees the child exit. */
static void block_sigchld(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void usage(const char *prog, FILE *out)
{
	fprintf(out, "usage: %s [-l|--list] [-t|--test NAME]... "
		"[-V|--vm-type TYPE] [-h|--help]\n"
		"  -l, --list     list the cases and exit\n"
		"  -t, --test N   run only case N (glob; repeatable)\n"
		"  -V, --vm-type T  VM type for cases that need private "
		"memory:\n"
		"                 " VM_KIND_NAMES " (default sw_protected)\n"
		"Prints KTAP; exits 0 (pass), 1 (a case failed), "
		"4 (all skipped).\n", prog);
}

static bool selected(const struct ktap_case *c, char **only, int nr_only)
{
	int i;

	if (!nr_only)
		return !c->hidden;
	for (i = 0; i < nr_only; i++)
		if (c->hidden ? !strcmp(only[i], c->name) :
		    !fnmatch(only[i], c->name, 0))
			return true;
	return false;
}

int ktap_main(int argc, char **argv, const struct ktap_case *cases,
	      unsigned int nr_cases)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "test", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "vm-type", required_argument, NULL, 'V' },
		{ 0 }
	};
	char *only[64], *prog = basename(argv[0]);
	struct totals t = { 0 };
	unsigned int i, n = 0, idx = 0;
	int opt, nr_only = 0;

	vm_created_hook = note_vm_kind;
	test_skip_hook = take_skip_reason;
	while ((opt = getopt_long(argc, argv, "lt:hV:", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			for (i = 0; i < nr_cases; i++)
				if (!cases[i].hidden)
					printf("%s\n", cases[i].name);
			return 0;
		case 't':
			if (nr_only == ARRAY_SIZE(only)) {
				fprintf(stderr, "%s: too many -t\n", prog);
				return 2;
			}
			only[nr_only++] = optarg;
			break;
		case 'h':
			usage(prog, stdout);
			return 0;
		case 'V':
			opt_vm_kind_given = true;
			if (!vm_kind_from_name(optarg, &opt_vm_kind)) {
				fprintf(stderr, "%s: unknown VM type '%s' (want "
					VM_KIND_NAMES ")\n", prog, optarg);
				return 2;
			}
			break;
		default:
			usage(prog, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog,
			argv[optind]);
		usage(prog, stderr);
		return 2;
	}
	for (i = 0; i < nr_cases; i++)
		n += selected(&cases[i], only, nr_only);
	if (!n) {
		fprintf(stderr, "%s: no case matches\n", prog);
		return 2;
	}

	report = mmap(NULL, sizeof(*report), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (report == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	load_known_issues(argv[0], prog);
	block_sigchld();
	harness_setup();

	printf("TAP version 13\n1..%u\n", n);
	for (i = 0; i < nr_cases; i++)
		if (selected(&cases[i], only, nr_only))
			run_case(++idx, &cases[i], &t);
	printf("# Totals: pass:%u fail:%u xfail:%u xpass:0 skip:%u error:0\n",
	       t.pass, t.fail, t.xfail, t.skip);
	fflush(stdout);

	munmap(report, sizeof(*report));
	report = NULL;
	free(known);
	if (t.fail)
		return KSFT_FAIL;
	if (!t.pass && !t.xfail)
		return KSFT_SKIP;
	return KSFT_PASS;
}
