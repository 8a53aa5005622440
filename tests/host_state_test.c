// SPDX-License-Identifier: GPL-2.0
/*
 * The host is left as found (lib/kvm/hoststate.c): a hugetlb pool grown for a
 * run is back at its size however the run ends (failed assertion, skip,
 * SIGKILL: the guardian; SIGKILL of the guardian too: the next run's
 * repair), and concurrent runs add their pages up.  Each case grows the
 * 2M pool by a few pages in child processes and reads nr_hugepages.
 * Other runs may hold the pool meanwhile (two suites at once, another
 * user's benchmark): the cases never expect an absolute pool size, only
 * what the ledger says it must be (lib/kvm/hoststate.c: its target while
 * anyone claims, its original value once nobody does) and their own
 * claims in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hoststate.h"
#include "hugetlb.h"
#include "ktap.h"
#include "test_util.h"

#define POOL	"/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"
#define FREE	"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages"
#define PAGES	8

static uint64_t pool(void)
{
	uint64_t v = 0;

	TEST_ASSERT(read_file_u64(POOL, &v), "reading %s", POOL);
	return v;
}

static uint64_t require_pool(void)
{
	TEST_REQUIRE(!access(POOL, W_OK), "%s not writable (root needed)",
		     POOL);
	return pool();
}

/* The pool's value with nobody's claim: the ledger's, or the pool now. */
static uint64_t pool_orig(void)
{
	struct knob_ledger v;

	return knob_ledger_view(POOL, 0, &v) ? v.orig : pool();
}

/*
 * Wait up to secs (a guardian may be busy) for the pool to read what the
 * ledger says: its target while anyone claims, else orig (the pool's
 * value with no claim, pool_orig() before the case).
 */
static void expect_settled(uint64_t orig, unsigned int secs,
			   const char *what)
{
	/* Other runs change both meanwhile: wait for a consistent view. */
	uint64_t deadline = now_ns() + (secs > 2 ? secs : 2) * 1000000000ULL;
	uint64_t now, want;
	struct knob_ledger v;
	bool claimed;

	for (;;) {
		claimed = knob_ledger_view(POOL, 0, &v);
		want = claimed ? v.target : orig;
		now = claimed && v.have_value ? v.value : pool();
		if (now == want || now_ns() >= deadline)
			break;
		usleep(20000);
	}
	TEST_ASSERT(now == want, "%s: nr_hugepages %llu, expected %llu (%s)",
		    what, (unsigned long long)now, (unsigned long long)want,
		    claimed ? "the ledger's target" : "no claim: the original");
	test_diag("%s: nr_hugepages %llu (%s, %u live claim(s))", what,
		  (unsigned long long)now, claimed ? "ledger target" :
		  "original", claimed ? v.nr : 0);
}

/* pid's claim on the pool, in pages (0: none). */
static uint64_t claim_of(pid_t pid)
{
	struct knob_ledger v;

	return knob_ledger_view(POOL, pid, &v) ? v.mine : 0;
}

static void claim_then_fail(void)
{
	hugetlb_require(SZ_2M, PAGES);
	TEST_FAIL("a deliberate failure with the pool grown to %llu",
		  (unsigned long long)pool());
}

static void claim_then_skip(void)
{
	hugetlb_require(SZ_2M, PAGES);
	test_skip("a deliberate skip with the pool grown");
}

/* A failed assertion (_exit, no atexit) puts the pool back at once. */
static void failure_restores_pool(void)
{
	uint64_t before = (require_pool(), pool_orig());
	char out[4096];

	TEST_ASSERT_EQ(test_run_captured(claim_then_fail, out, sizeof(out)),
		       KSFT_FAIL);
	test_diag("child said: %s", strstr(out, "deliberate") ?: out);
	expect_settled(before, 0, "after the failed case");
}

static void skip_restores_pool(void)
{
	uint64_t before = (require_pool(), pool_orig());
	char out[4096];

	TEST_ASSERT_EQ(test_run_captured(claim_then_skip, out, sizeof(out)),
		       KSFT_SKIP);
	expect_settled(before, 0, "after the skipped case");
}

/* A child that claims and holds until killed; its pid. */
static pid_t holder(unsigned int pages)
{
	int p[2];
	pid_t pid;
	char c;

	TEST_ASSERT(!pipe(p), "pipe");
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		close(p[0]);
		hugetlb_require(SZ_2M, pages);
		TEST_ASSERT(write(p[1], "r", 1) == 1, "ready");
		for (;;)
			pause();
	}
	close(p[1]);
	TEST_ASSERT(read(p[0], &c, 1) == 1, "the holder claimed nothing "
		    "(skipped or failed)");
	close(p[0]);
	return pid;
}

static void kill_and_reap(pid_t pid, int sig)
{
	kill(pid, sig);
	waitpid(pid, NULL, 0);
}

/* SIGKILL: no handler runs; the holder's guardian restores the pool. */
static void sigkill_restored_by_guardian(void)
{
	uint64_t before = (require_pool(), pool_orig());
	pid_t pid = holder(PAGES);

	TEST_ASSERT_EQ(claim_of(pid), PAGES);
	expect_settled(before, 0, "holding");
	kill_and_reap(pid, SIGKILL);
	expect_settled(before, 5, "after SIGKILL");
	TEST_ASSERT_EQ(claim_of(pid), 0);
}

/* Two holders: their pages add up; the pool shrinks as each goes. */
static void concurrent_claims_add_up(void)
{
	uint64_t before = (require_pool(), pool_orig());
	struct knob_ledger v;
	pid_t a, b;

	a = holder(PAGES);
	b = holder(PAGES);
	TEST_ASSERT_EQ(claim_of(a), PAGES);
	TEST_ASSERT_EQ(claim_of(b), PAGES);
	TEST_ASSERT(knob_ledger_view(POOL, 0, &v), "no ledger while holding");
	test_diag("ledger: original %llu, head room %llu, %u claims, target "
		  "%llu", (unsigned long long)v.orig,
		  (unsigned long long)v.base, v.nr,
		  (unsigned long long)v.target);
	/* Both claims count: the target covers 2 * PAGES beyond the room. */
	TEST_ASSERT(v.target >= v.orig + (2 * PAGES > v.base ?
					  2 * PAGES - v.base : 0),
		    "target %llu below original %llu + two claims of %u "
		    "beyond head room %llu", (unsigned long long)v.target,
		    (unsigned long long)v.orig, PAGES,
		    (unsigned long long)v.base);
	expect_settled(before, 0, "two holders of 8 pages");
	kill_and_reap(a, SIGTERM);
	TEST_ASSERT_EQ(claim_of(a), 0);
	expect_settled(before, 5, "one holder left");
	kill_and_reap(b, SIGKILL);
	expect_settled(before, 5, "none left");
}

/*
 * Two claimers killed at once and not reaped: both are zombies while
 * their guardians release, and each guardian must count the other's
 * claim as dead, or the pool stays grown by one claim with nobody
 * holding it (seen under load when a case's helpers were killed
 * together).
 */
static void claimers_killed_together(void)
{
	uint64_t before = (require_pool(), pool_orig());
	siginfo_t si;
	pid_t a, b;

	a = holder(PAGES);
	b = holder(PAGES);
	expect_settled(before, 0, "two holders of 8 pages");
	kill(a, SIGKILL);
	kill(b, SIGKILL);
	/* Dead, still zombies: WNOWAIT leaves them unreaped. */
	TEST_ASSERT(!waitid(P_PID, a, &si, WEXITED | WNOWAIT) &&
		    !waitid(P_PID, b, &si, WEXITED | WNOWAIT), "waitid");
	expect_settled(before, 10, "both killed, neither reaped");
	TEST_ASSERT_EQ(claim_of(a), 0);
	TEST_ASSERT_EQ(claim_of(b), 0);
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
}

/*
 * A claim whose process and guardian both died (SIGKILL of the process
 * group, a crash of the machine's session): the next claimer finds the
 * knob grown, the claim dead, repairs it and says so.  On a knob of its
 * own (a file in a private state directory, the pool's number in it):
 * writing the real pool by hand would fight other runs' claims.
 */
static void dead_claim_repaired_by_next_run(void)
{
	char dir[] = "/tmp/gmemsuite-state.XXXXXX", knob[256], lpath[512];
	char line[512], lname[256];
	const uint64_t orig = 3;
	struct knob_claim_result res;
	uint64_t v = 0;
	unsigned int i;
	pid_t dead;
	int fd, n;

	TEST_ASSERT(mkdtemp(dir), "mkdtemp");
	setenv("GMEMSUITE_STATE_DIR", dir, 1);
	snprintf(knob, sizeof(knob), "%s/nr_hugepages", dir);
	snprintf(line, sizeof(line), "%llu", (unsigned long long)(orig +
								PAGES));
	TEST_ASSERT(write_file_str(knob, line), "creating %s", knob);
	dead = fork();
	if (!dead)
		_exit(0);
	waitpid(dead, NULL, 0);
	/* The ledger's name: the knob's path with '/' as '_'. */
	snprintf(lname, sizeof(lname), "%s", knob);
	for (i = 0; lname[i]; i++)
		if (lname[i] == '/')
			lname[i] = '_';
	snprintf(lpath, sizeof(lpath), "%s/%s.ledger", dir, lname);
	fd = open(lpath, O_WRONLY | O_CREAT, 0644);
	TEST_ASSERT(fd >= 0, "creating %s", lpath);
	n = snprintf(line, sizeof(line), "knob %s\norig %llu\nbase 0\n"
		     "claim %d 1 %u\n", knob, (unsigned long long)orig, dead,
		     PAGES);
	TEST_ASSERT(write(fd, line, n) == n, "writing the ledger");
	close(fd);

	TEST_ASSERT(!knob_claim(knob, 0, NULL, &res), "claim");
	TEST_ASSERT_EQ(res.orig, orig);
	TEST_ASSERT_EQ(res.nr_others, 0);
	knob_release(knob);
	TEST_ASSERT(read_file_u64(knob, &v), "reading %s", knob);
	TEST_ASSERT_EQ(v, orig);
	test_diag("after the repair: the knob reads %llu",
		  (unsigned long long)v);
	TEST_ASSERT(access(lpath, F_OK), "ledger %s left behind", lpath);
	unlink(knob);
	rmdir(dir);
}

/*
 * Hidden (run only by failing_case_leaves_nothing): two helpers that
 * claim pool pages and wait forever, their pids in $GMEMSUITE_LEAK_PIDS,
 * then a failed assertion.
 */
static void deliberate_failure_with_children(void)
{
	const char *path = getenv("GMEMSUITE_LEAK_PIDS");
	FILE *f;

	TEST_REQUIRE(path, "GMEMSUITE_LEAK_PIDS unset: run by "
		     "failing_case_leaves_nothing only");
	f = fopen(path, "w");
	TEST_ASSERT(f, "creating %s", path);
	fprintf(f, "%d\n%d\n", holder(PAGES), holder(PAGES));
	fclose(f);
	TEST_FAIL("a deliberate failure with two helpers holding %u pages "
		  "each", PAGES);
}

/* Wait for EOF on fd (every writer gone), up to secs; false if not. */
static bool drain_to_eof(int fd, unsigned int secs, char *out, size_t len)
{
	uint64_t deadline = now_ns() + secs * 1000000000ULL;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t got = 0;
	ssize_t n;

	while (now_ns() < deadline) {
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(fd, out + got, len - 1 - got);
		if (n <= 0) {
			out[got] = 0;
			return !n;
		}
		got += n;
		if (got == len - 1)
			got = 0;	/* keep the tail */
	}
	out[got] = 0;
	return false;
}

/*
 * A case that fails with helpers still running, run as kselftest's
 * runner runs a program (its output into a pipe): the program exits 1,
 * the pipe reaches EOF at once (no helper keeps it open), no helper is
 * left, and the pool is as before.
 */
static void failing_case_leaves_nothing(void)
{
	char exe[512], pids[] = "/tmp/gmemsuite-leak.XXXXXX", out[8192];
	uint64_t before = (require_pool(), pool_orig());
	int p[2], status, fd, i;
	long pid[2] = { 0, 0 };
	ssize_t n;
	pid_t run;
	FILE *f;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	TEST_ASSERT(n > 0, "readlink /proc/self/exe");
	exe[n] = 0;
	fd = mkstemp(pids);
	TEST_ASSERT(fd >= 0, "mkstemp");
	close(fd);
	TEST_ASSERT(!pipe(p), "pipe");
	run = fork();
	TEST_ASSERT(run >= 0, "fork");
	if (!run) {
		setenv("GMEMSUITE_LEAK_PIDS", pids, 1);
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execl(exe, exe, "-t", "deliberate_failure_with_children",
		      (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	TEST_ASSERT(drain_to_eof(p[0], 60, out, sizeof(out)), "the program's"
		    " output pipe still open after 60 s (a helper holds it)");
	close(p[0]);
	TEST_ASSERT_EQ(waitpid(run, &status, 0), run);
	/* Not the raw output: its "not ok" line would read as ours. */
	TEST_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 1,
		    "inner run: status 0x%x, want exit 1; output:\n%s", status,
		    out);
	TEST_ASSERT(strstr(out, "not ok 1 deliberate_failure_with_children"),
		    "the deliberate failure was not reported:\n%s", out);
	test_diag("inner run: exit 1, its deliberate failure reported, "
		  "output pipe closed");
	f = fopen(pids, "r");
	TEST_ASSERT(f && fscanf(f, "%ld %ld", &pid[0], &pid[1]) == 2,
		    "the helpers' pids (%s)", pids);
	fclose(f);
	unlink(pids);
	for (i = 0; i < 2; i++)
		TEST_ASSERT(kill(pid[i], 0) && errno == ESRCH, "helper %ld "
			    "still there after its case failed", pid[i]);
	expect_settled(before, 0, "after the failed case");
}

static const struct ktap_case cases[] = {
	KTAP_CASE(failure_restores_pool),
	KTAP_CASE(skip_restores_pool),
	KTAP_CASE(sigkill_restored_by_guardian),
	KTAP_CASE(concurrent_claims_add_up),
	KTAP_CASE(claimers_killed_together),
	KTAP_CASE(dead_claim_repaired_by_next_run),
	KTAP_CASE(failing_case_leaves_nothing),
	KTAP_CASE_HIDDEN(deliberate_failure_with_children),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
