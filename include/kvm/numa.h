/* SPDX-License-Identifier: GPL-2.0 */
/*
 * NUMA policy and placement through the raw system calls (mbind,
 * get_mempolicy, move_pages), as the KVM selftests do: no libnuma
 * dependency.  Node masks are one 64-bit word: nodes 0..63.
 */
#ifndef GMEM_NUMA_H
#define GMEM_NUMA_H

#include <stdint.h>

#define GM_MPOL_DEFAULT		0
#define GM_MPOL_PREFERRED	1
#define GM_MPOL_BIND		2
#define GM_MPOL_INTERLEAVE	3
#define GM_MPOL_LOCAL		4
#define GM_MPOL_F_ADDR		(1 << 1)
#define GM_MPOL_MF_MOVE		(1 << 1)

/* Online nodes as a mask (sysfs node/online); 0 when unknown. */
uint64_t numa_online_mask(void);
/* 0 or an errno. */
int gm_mbind(void *addr, unsigned long len, int mode, uint64_t mask);
/* The policy at addr (MPOL_F_ADDR): 0 or an errno. */
int gm_get_mempolicy_addr(void *addr, int *mode, uint64_t *mask);
/* The node of each page (move_pages with no target): 0 or an errno. */
int gm_page_nodes(void **pages, unsigned long count, int *status);

#endif /* GMEM_NUMA_H */
