// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "bounds.h"
#include "test_util.h"

static void add(struct bound_row *rows, unsigned int *n, uint64_t limit,
		uint64_t align, uint64_t off, uint64_t size, const char *what)
{
	struct bound_row *r = &rows[(*n)++];

	r->off = off;
	r->size = size;
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->in_range = size && !(off % align) && !(size % align) &&
		      off + size > off && off + size <= limit;
}

unsigned int bound_rows(uint64_t limit, uint64_t align,
			struct bound_row *rows)
{
	const uint64_t smax = (1ULL << 63) - align;	/* s64 max, aligned */
	const uint64_t smin = 1ULL << 63;		/* s64 min */
	const uint64_t top = -align;			/* 2^64 - align */
	const struct { uint64_t v; const char *name; } edges[] = {
		{ 0, "0" }, { 1, "1" }, { align - 1, "align - 1" },
		{ align, "align" }, { limit - align, "end - align" },
		{ limit, "end" }, { limit + align, "end + align" },
		{ smax, "2^63 - align (s64 max)" }, { smin, "2^63 (s64 min)" },
		{ top, "2^64 - align" },
	};
	char what[72];
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		snprintf(what, sizeof(what), "offset %s, size align",
			 edges[i].name);
		add(rows, &n, limit, align, edges[i].v, align, what);
	}
	for (i = 0; i < ARRAY_SIZE(edges); i++) {
		snprintf(what, sizeof(what), "offset 0, size %s",
			 edges[i].name);
		add(rows, &n, limit, align, 0, edges[i].v, what);
	}
	add(rows, &n, limit, align, top, 2 * align,
	    "offset + size wraps 2^64");
	add(rows, &n, limit, align, align, top,
	    "offset + size wraps to 0");
	add(rows, &n, limit, align, limit - align, top,
	    "offset + size wraps below end");
	add(rows, &n, limit, align, smax, 2 * align,
	    "offset + size negative as s64");
	add(rows, &n, limit, align, limit - align, smin,
	    "size negative as s64, sum too");
	return n;
}
