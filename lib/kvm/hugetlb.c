// SPDX-License-Identifier: GPL-2.0
/*
 * hugetlb pools grown for a run through the host-state ledger
 * (lib/kvm/hoststate.c): concurrent runs add their pages up, and the pool is
 * back at its original size when the last one ends, however it ends.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hoststate.h"
#include "hugetlb.h"
#include "test_util.h"

static void pool_path(uint64_t page_size, const char *file, char *buf,
		      size_t len)
{
	snprintf(buf, len, "/sys/kernel/mm/hugepages/hugepages-%llukB/%s",
		 (unsigned long long)(page_size >> 10), file);
}

void hugetlb_restore(void)
{
	hoststate_release_all();
}

static void restore_on_signal(int sig)
{
	hugetlb_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_restore(void)
{
	static bool done;
	const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	unsigned int i;

	if (done)
		return;
	atexit(hugetlb_restore);
	for (i = 0; i < ARRAY_SIZE(sigs); i++) {
		struct sigaction sa = { .sa_handler = restore_on_signal }, old;

		/*
		 * A program with its own handler (benchmarks keep partial
		 * results) exits normally: atexit restores then.
		 */
		sigaction(sigs[i], NULL, &old);
		if (old.sa_handler != SIG_DFL)
			continue;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
	done = true;
}

bool hugetlb_reserve(uint64_t page_size, uint64_t nr, const char **why)
{
	static char msg[512];
	const char *size = page_size == SZ_1G ? "1G" : "2M";
	struct knob_claim_result res;
	uint64_t total;
	char path[128], free_path[128];
	int err;

	pool_path(page_size, "nr_hugepages", path, sizeof(path));
	pool_path(page_size, "free_hugepages", free_path, sizeof(free_path));
	if (!read_file_u64(path, &total)) {
		snprintf(msg, sizeof(msg), "no %s hugetlb pool (%s)", size,
			 path);
		*why = msg;
		return false;
	}
	install_restore();
	err = knob_claim(path, nr, free_path, &res);
	if (err) {
		snprintf(msg, sizeof(msg), "hugetlb %s pool: cannot grow it "
			 "by %llu pages: %s (%s)", size,
			 (unsigned long long)nr, errno_name(err),
			 err == EACCES || err == EPERM ? "not root?" :
			 err == EINVAL && page_size == SZ_1G ?
			 "this kernel cannot allocate gigantic pages at run "
			 "time, e.g. without CONFIG_CONTIG_ALLOC: reserve them "
			 "at boot with hugepagesz=1G hugepages=N" :
			 "the kernel refused the new pool size");
		knob_release(path);
		*why = msg;
		return false;
	}
	if (res.value >= res.target)
		return true;
	snprintf(msg, sizeof(msg), "hugetlb %s pool: asked the kernel for %llu"
		 " pages in all (%llu before any run, %llu for this run, %llu "
		 "held by %u other run(s)%s%s), it gave %llu (not enough free "
		 "memory, or fragmented)", size,
		 (unsigned long long)res.target, (unsigned long long)res.orig,
		 (unsigned long long)nr, (unsigned long long)res.others,
		 res.nr_others, res.nr_others ? ": " : "", res.other_pids,
		 (unsigned long long)res.value);
	knob_release(path);
	*why = msg;
	return false;
}

void hugetlb_require(uint64_t page_size, uint64_t nr)
{
	const char *why;

	if (!hugetlb_reserve(page_size, nr, &why))
		test_skip("%s", why);
}
