// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hugetlb.h"
#include "test_util.h"

struct pool {
	uint64_t page_size;
	uint64_t orig;		/* nr_hugepages before we touched it */
	bool grown;
	pid_t owner;		/* forked children must not restore */
};

static struct pool pools[2] = {
	{ .page_size = SZ_2M }, { .page_size = SZ_1G },
};

static struct pool *pool_of(uint64_t page_size)
{
	return page_size == SZ_1G ? &pools[1] : &pools[0];
}

static void pool_path(uint64_t page_size, const char *file, char *buf,
		      size_t len)
{
	snprintf(buf, len, "/sys/kernel/mm/hugepages/hugepages-%llukB/%s",
		 (unsigned long long)(page_size >> 10), file);
}

static bool pool_write(uint64_t page_size, uint64_t nr)
{
	char path[128], val[32];

	pool_path(page_size, "nr_hugepages", path, sizeof(path));
	snprintf(val, sizeof(val), "%llu", (unsigned long long)nr);
	return write_file_str(path, val);
}

void hugetlb_restore(void)
{
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (!pools[i].grown || pools[i].owner != getpid())
			continue;
		pool_write(pools[i].page_size, pools[i].orig);
		pools[i].grown = false;
	}
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
	static char msg[256];
	struct pool *p = pool_of(page_size);
	uint64_t total = 0, free_pages = 0, want;
	char path[128];

	pool_path(page_size, "nr_hugepages", path, sizeof(path));
	if (!read_file_u64(path, &total)) {
		snprintf(msg, sizeof(msg), "no %s hugetlb pool (%s)",
			 page_size == SZ_1G ? "1G" : "2M", path);
		*why = msg;
		return false;
	}
	pool_path(page_size, "free_hugepages", path, sizeof(path));
	read_file_u64(path, &free_pages);
	if (free_pages >= nr)
		return true;
	want = total + (nr - free_pages);
	install_restore();
	if (!p->grown) {
		p->orig = total;
		p->owner = getpid();
	}
	p->grown = true;
	pool_write(page_size, want);
	read_file_u64(path, &free_pages);
	if (free_pages >= nr)
		return true;
	snprintf(msg, sizeof(msg), "hugetlb %s pool: %llu free pages after "
		 "asking for %llu in all, %llu needed (memory fragmented, or "
		 "not root?)", page_size == SZ_1G ? "1G" : "2M",
		 (unsigned long long)free_pages, (unsigned long long)want,
		 (unsigned long long)nr);
	*why = msg;
	hugetlb_restore();
	return false;
}

void hugetlb_require(uint64_t page_size, uint64_t nr)
{
	const char *why;

	if (!hugetlb_reserve(page_size, nr, &why))
		test_skip("%s", why);
}
