/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Grow a hugetlb pool for a run and put it back afterwards, however the
 * run ends (lib/kvm/hoststate.c: exit, failed assertion, skip, signal, and a
 * guardian for SIGKILL), sharing it with concurrent runs.  Pools that
 * cannot be grown are a skip that says how many pages were wanted, got,
 * and held by which other runs.
 */
#ifndef GMEM_HUGETLB_H
#define GMEM_HUGETLB_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Claim nr pages of page_size (SZ_2M or SZ_1G) on top of what other runs
 * hold, growing nr_hugepages as needed.  Returns false (and *why) when
 * the kernel cannot give them.
 */
bool hugetlb_reserve(uint64_t page_size, uint64_t nr, const char **why);
/* Same, but skips the test naming the shortfall. */
void hugetlb_require(uint64_t page_size, uint64_t nr);
/* Release this process's claims (also at exit and on signals). */
void hugetlb_restore(void);

#endif /* GMEM_HUGETLB_H */
