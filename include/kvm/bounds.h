/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boundary rows for an (offset, size) argument pair, derived from the
 * argument's type instead of written by example: for an object of limit
 * bytes at base (0 for a file offset, the region's gpa for an address)
 * with alignment align, the offsets base + 0, + 1, + align - 1, + align,
 * + limit - align, + limit, + limit + align, then the type's own edges:
 * the largest aligned value that is positive as a signed 64-bit number,
 * the smallest that is negative, 2^64 - align; the sizes 0, 1, align - 1,
 * align, limit - align, limit, limit + align and the same type edges; and
 * both overflows: a sum that wraps the unsigned 64 bits (past 0, to
 * exactly 0, back below the end) and one that only turns negative as a
 * signed 64-bit (loff_t) value.  A table gets every edge by iterating
 * them; each row says whether it lies inside the object, and a table
 * derives its expected answer from that and the argument's own rules.
 */
#ifndef GMEM_BOUNDS_H
#define GMEM_BOUNDS_H

#include <stdbool.h>
#include <stdint.h>

struct bound_row {
	uint64_t off, size;
	char what[72];
	/* aligned, non-empty, no unsigned wrap, inside [base, base+limit) */
	bool in_range;
};

#define BOUND_ROWS_MAX	32

/* Fill rows (at least BOUND_ROWS_MAX); returns how many. */
unsigned int bound_rows(uint64_t base, uint64_t limit, uint64_t align,
			struct bound_row *rows);

/* off + size wraps the unsigned 64 bits (a sum of exactly 2^64 too). */
static inline bool bound_wraps(uint64_t off, uint64_t size)
{
	return off + size < off;
}

#endif /* GMEM_BOUNDS_H */
