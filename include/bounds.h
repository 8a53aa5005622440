/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Boundary rows for an (offset, size) argument pair, derived from the
 * argument's type instead of written by example: for an object of limit
 * bytes with alignment align, the offsets 0, 1, align - 1, align,
 * limit - align, limit, limit + align, the largest aligned value that is
 * positive as a signed 64-bit number, the smallest that is negative,
 * 2^64 - align; the same sizes (and 0); and both overflows: a sum that
 * wraps the unsigned 64 bits and one that only turns negative as a
 * signed 64-bit (loff_t) value.  A table gets every edge by iterating
 * them, and marks each row with what the generic rule says.
 */
#ifndef GMEM_BOUNDS_H
#define GMEM_BOUNDS_H

#include <stdbool.h>
#include <stdint.h>

struct bound_row {
	uint64_t off, size;
	char what[72];
	/* aligned, non-empty, no unsigned wrap, off + size <= limit */
	bool in_range;
};

#define BOUND_ROWS_MAX	32

/* Fill rows (at least BOUND_ROWS_MAX); returns how many. */
unsigned int bound_rows(uint64_t limit, uint64_t align,
			struct bound_row *rows);

#endif /* GMEM_BOUNDS_H */
