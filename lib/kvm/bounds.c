// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>

#include "bounds.h"
#include "test_util.h"

struct edge {
	uint64_t v;
	const char *name;
};

static void add(struct bound_row *rows, unsigned int *n, uint64_t base,
		uint64_t limit, uint64_t align, uint64_t off, uint64_t size,
		const char *what)
{
	struct bound_row *r = &rows[(*n)++];

	r->off = off;
	r->size = size;
	snprintf(r->what, sizeof(r->what), "%s", what);
	r->in_range = size && !(off % align) && !(size % align) &&
		      !bound_wraps(off, size) && off >= base &&
		      off - base <= limit && size <= limit - (off - base);
}

unsigned int bound_rows(uint64_t base, uint64_t limit, uint64_t align,
			struct bound_row *rows)
{
	const uint64_t smax = (1ULL << 63) - align;	/* s64 max, aligned */
	const uint64_t smin = 1ULL << 63;		/* s64 min */
	const uint64_t top = -align;			/* 2^64 - align */
	/* Edges of the object (relative to base), then of the type. */
	const struct edge near[] = {
		{ 0, "0" }, { 1, "1" }, { align - 1, "align - 1" },
		{ align, "align" }, { limit - align, "end - align" },
		{ limit, "end" }, { limit + align, "end + align" },
	};
	const struct edge far[] = {
		{ smax, "2^63 - align (s64 max)" }, { smin, "2^63 (s64 min)" },
		{ top, "2^64 - align" },
	};
	const char *at = base ? "base + " : "";
	char what[72];
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(near); i++) {
		snprintf(what, sizeof(what), "offset %s%s, size align", at,
			 near[i].name);
		add(rows, &n, base, limit, align, base + near[i].v, align,
		    what);
	}
	for (i = 0; i < ARRAY_SIZE(far); i++) {
		snprintf(what, sizeof(what), "offset %s, size align",
			 far[i].name);
		add(rows, &n, base, limit, align, far[i].v, align, what);
	}
	for (i = 0; i < ARRAY_SIZE(near); i++) {
		snprintf(what, sizeof(what), "offset %s, size %s",
			 base ? "base" : "0", near[i].name);
		add(rows, &n, base, limit, align, base, near[i].v, what);
	}
	for (i = 0; i < ARRAY_SIZE(far); i++) {
		snprintf(what, sizeof(what), "offset %s, size %s",
			 base ? "base" : "0", far[i].name);
		add(rows, &n, base, limit, align, base, far[i].v, what);
	}
	add(rows, &n, base, limit, align, top, 2 * align,
	    "offset + size wraps 2^64");
	add(rows, &n, base, limit, align, base + align, -(base + align),
	    "offset + size wraps to 0");
	add(rows, &n, base, limit, align, base + limit - align, top,
	    "offset + size wraps below end");
	add(rows, &n, base, limit, align, smax, 2 * align,
	    "offset + size negative as s64");
	add(rows, &n, base, limit, align, base + limit - align, smin,
	    "size negative as s64, sum too");
	return n;
}
