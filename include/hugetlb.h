/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grow a hugetlb pool for a run and put it back afterwards: at exit, and
 * on SIGINT/SIGTERM/SIGHUP (the handler restores, then re-raises), so the
 * host is left as found.  Pools that cannot be grown are a skip that says
 * how many pages were wanted and got.
 */
#ifndef GMEM_HUGETLB_H
#define GMEM_HUGETLB_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Ensure at least nr free pages of page_size (SZ_2M or SZ_1G), growing
 * nr_hugepages if needed.  Returns false (and *why) when it cannot.
 */
bool hugetlb_reserve(uint64_t page_size, uint64_t nr, const char **why);
/* Same, but skips the test naming the shortfall. */
void hugetlb_require(uint64_t page_size, uint64_t nr);
/* Restore every pool this process grew (also runs at exit). */
void hugetlb_restore(void);

#endif /* GMEM_HUGETLB_H */
