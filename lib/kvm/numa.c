// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "numa.h"

/* "0-1,3": each range's bits. */
uint64_t numa_online_mask(void)
{
	FILE *f = fopen("/sys/devices/system/node/online", "re");
	char buf[256], *p, *tok, *save = NULL;
	uint64_t mask = 0;
	unsigned long a, b;

	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = 0;
	fclose(f);
	for (p = buf; (tok = strtok_r(p, ",\n", &save)); p = NULL) {
		if (sscanf(tok, "%lu-%lu", &a, &b) != 2) {
			if (sscanf(tok, "%lu", &a) != 1)
				continue;
			b = a;
		}
		for (; a <= b && a < 64; a++)
			mask |= 1ULL << a;
	}
	return mask;
}

int gm_mbind(void *addr, unsigned long len, int mode, uint64_t mask)
{
	unsigned long m = mask;

	return syscall(SYS_mbind, addr, len, mode, mask ? &m : NULL,
		       mask ? 65 : 0, 0) ? errno : 0;
}

int gm_get_mempolicy_addr(void *addr, int *mode, uint64_t *mask)
{
	unsigned long m[1024 / 64] = { 0 };

	if (syscall(SYS_get_mempolicy, mode, m, 1024, addr, GM_MPOL_F_ADDR))
		return errno;
	*mask = m[0];
	return 0;
}

int gm_page_nodes(void **pages, unsigned long count, int *status)
{
	return syscall(SYS_move_pages, 0, count, pages, NULL, status, 0) ?
	       errno : 0;
}
