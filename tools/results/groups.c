// SPDX-License-Identifier: GPL-2.0
/*
 * Documents by configuration, from what they measured (never from file
 * names), and the per-run figures of a configuration: medians and spreads
 * over its runs, conversion rows by path, size, direction and state.
 */

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gmem.h"
#include "results.h"
#include "samples.h"

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	TEST_ASSERT(p, "calloc %zu x %zu", n, size);
	return p;
}

/*
 * The VM kind, when it is a confidential one: default and sw_protected
 * runs (and files from before "vm_kind" was written) name none.
 */
static const char *coco_kind(const struct jnode *root)
{
	const char *k = json_str_at(root, "config.vm_kind", "default");

	return strcmp(k, "default") && strcmp(k, "sw_protected") ? k : NULL;
}

/* "anon x1 write seq 4K" style key of a fault_bench configuration. */
static void fault_key(const struct jnode *root, char *buf, size_t len)
{
	double node = json_num(root, "config.node", -1);
	const char *coco = coco_kind(root);
	char where[48] = "";

	/* --node runs: the node, and local/remote to vCPU 0 when pinned. */
	if (node >= 0)
		snprintf(where, sizeof(where), " node %.0f%s%s", node,
			 json_get(root, "results.placement.memory") ? " " : "",
			 json_str_at(root, "results.placement.memory", ""));
	snprintf(buf, len, "%s x%.0f %s %s %s%s%s%s%s",
		 json_str_at(root, "config.backing", "?"),
		 json_num(root, "config.vcpus", 0),
		 json_str_at(root, "config.access", "?"),
		 json_str_at(root, "config.pattern", "?"),
		 json_num(root, "config.guest_page", 0) >= SZ_2M ?
		 (json_num(root, "config.guest_page", 0) >= SZ_1G ? "1G" :
		  "2M") : "4K",
		 flag(root, "config.populate") ? " resident" : "", where,
		 coco ? " on " : "", coco ? coco : "");
}

/* convert_bench documents: one configuration per VM kind. */
static void convert_key(const struct jnode *root, char *buf, size_t len)
{
	const char *coco = coco_kind(root);

	snprintf(buf, len, "convert%s%s", coco ? " on " : "", coco ? coco : "");
}

/* A conversion row: "vm-attr 4K to_private new". */
static void row_key(const struct jnode *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s %.0fK %s %s", json_str_at(c, "path", "?"),
		 json_num(c, "size", 0) / 1024,
		 json_str_at(c, "direction", "?"),
		 flag(c, "populated") ? "pop" : "new");
}


/* The "-runK" ending a name, or NULL. */
static char *strrstr_run(char *name)
{
	char *p = strrchr(name, '-');
	size_t d;

	if (!p || strncmp(p, "-run", 4))
		return NULL;
	d = strspn(p + 4, "0123456789");
	return d && !p[4 + d] ? p : NULL;
}

/* "fault-anon-x1" of ".../fault-anon-x1-run3.json" (and of an older
 * ".../fault-anon-x1.json"). */
static void file_stem(const char *path, char *buf, size_t len)
{
	const char *base = strrchr(path, '/');
	char *run;
	size_t l;

	base = base ? base + 1 : path;
	l = strlen(base) < len ? strlen(base) : len - 1;
	memcpy(buf, base, l);
	buf[l] = '\0';
	if (l > 5 && !strcmp(buf + l - 5, ".json"))
		buf[l - 5] = '\0';
	run = strrstr_run(buf);
	if (run)
		*run = '\0';
}

/*
 * Documents by configuration, from what they measured.  Documents of the
 * same configuration under different file names (a directory spanning
 * kernel configurations, as results/vmcheck-7.2.12-inplace-v8-tcg) stay
 * apart: their key gets the file name.  compare leaves out runs stopped
 * by Ctrl-C ("interrupted": fewer passes than their siblings).
 */
/* Runs of one configuration: the same size, passes and sampling batch. */
static void check_same_config(const struct doc *a, const struct doc *b)
{
	check_same(a, b, "config.size", "sizes (config.size)");
	check_same(a, b, "config.iterations", "passes (config.iterations)");
	if (!strcmp(a->tool, "fault_bench"))
		check_same(a, b, "config.batch", "sampling batches "
			   "(config.batch)");
}

void group_run(const struct run *r, struct groups *gs,
		      bool skip_interrupted)
{
	unsigned int i, k;

	gs->g = xcalloc(r->n, sizeof(*gs->g));
	gs->n = 0;
	gs->interrupted = 0;
	for (i = 0; i < r->n; i++) {
		const struct jnode *d = r->docs[i].root;
		char key[160], stem[128];

		if (skip_interrupted && flag(d, "interrupted")) {
			gs->interrupted++;
			continue;
		}
		if (!strcmp(r->docs[i].tool, "fault_bench"))
			fault_key(d, key, sizeof(key));
		else if (!strcmp(r->docs[i].tool, "convert_bench"))
			convert_key(d, key, sizeof(key));
		else
			continue;
		/* Cut short (Ctrl-C twice): never a normal row or curve. */
		if (flag(d, "interrupted"))
			snprintf(key + strlen(key), sizeof(key) - strlen(key),
				 " (interrupted run)");
		file_stem(r->docs[i].path, stem, sizeof(stem));
		for (k = 0; k < gs->n; k++)
			if (!strcmp(gs->g[k].ckey, key) &&
			    !strcmp(gs->g[k].stem, stem))
				break;
		if (k == gs->n) {
			struct group *g = &gs->g[gs->n++];

			snprintf(g->ckey, sizeof(g->ckey), "%s", key);
			snprintf(g->stem, sizeof(g->stem), "%s", stem);
			snprintf(g->key, sizeof(g->key), "%s", key);
			g->tool = r->docs[i].tool;
			g->doc = xcalloc(r->n, sizeof(*g->doc));
			g->idx = xcalloc(r->n, sizeof(*g->idx));
			g->first = i;
		} else {
			check_same_config(&r->docs[gs->g[k].first],
					  &r->docs[i]);
		}
		gs->g[k].idx[gs->g[k].n] = i;
		gs->g[k].doc[gs->g[k].n++] = d;
	}
	for (k = 0; k < gs->n; k++)
		for (i = 0; i < gs->n; i++)
			if (i != k && !strcmp(gs->g[k].ckey, gs->g[i].ckey))
				snprintf(gs->g[k].key, sizeof(gs->g[k].key),
					 "%s [%s]", gs->g[k].ckey,
					 gs->g[k].stem);
}

void free_groups(struct groups *gs)
{
	unsigned int k;

	for (k = 0; k < gs->n; k++) {
		free(gs->g[k].doc);
		free(gs->g[k].idx);
	}
	free(gs->g);
}

/* The fewest and most runs of any configuration. */
void runs_range(const struct groups *gs, unsigned int *lo,
		       unsigned int *hi)
{
	unsigned int k;

	*lo = gs->n ? ~0u : 0;
	*hi = 0;
	for (k = 0; k < gs->n; k++) {
		*lo = gs->g[k].n < *lo ? gs->g[k].n : *lo;
		*hi = gs->g[k].n > *hi ? gs->g[k].n : *hi;
	}
}

/*
 * The value at path of each of n nodes (runs), absent ones left out;
 * returns how many.
 */
unsigned int values_of(const struct jnode *const *node, unsigned int n,
			      const char *path, double *v)
{
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		double x = node[i] ? json_num(node[i], path, NAN) : NAN;

		if (!isnan(x))
			v[m++] = x;
	}
	return m;
}

double median(double *v, unsigned int n)
{
	struct sample_stats s;

	if (!n)
		return NAN;
	stats_compute(v, n, &s);
	return s.p50;
}

/* Median over runs of the value at path; NAN when no run has it. */
double median_at(const struct jnode *const *node, unsigned int n,
			const char *path)
{
	double *v = xcalloc(n, sizeof(*v)), m;

	m = median(v, values_of(node, n, path, v));
	free(v);
	return m;
}

/* (max - min) / mean of the runs' values at path, percent; NAN for < 2. */
double spread_at(const struct jnode *const *node, unsigned int n,
			const char *path)
{
	double *v = xcalloc(n, sizeof(*v));
	struct sample_stats s;
	unsigned int m = values_of(node, n, path, v);

	stats_compute(v, m, &s);
	free(v);
	return m > 1 && s.mean ? 100 * (s.max - s.min) / s.mean : NAN;
}

void rows_of(const struct group *g, struct rows *rs)
{
	unsigned int i, k, cap = 0;
	const struct jnode *c;

	for (i = 0; i < g->n; i++) {
		c = json_get(g->doc[i], "results.conversions");
		for (c = c ? c->child : NULL; c; c = c->next)
			cap++;
	}
	rs->key = xcalloc(cap + 1, sizeof(*rs->key));
	rs->row = xcalloc((cap + 1) * g->n, sizeof(*rs->row));
	rs->nkeys = 0;
	rs->nruns = g->n;
	for (i = 0; i < g->n; i++) {
		c = json_get(g->doc[i], "results.conversions");
		for (c = c ? c->child : NULL; c; c = c->next) {
			char key[96];

			row_key(c, key, sizeof(key));
			for (k = 0; k < rs->nkeys; k++)
				if (!strcmp(rs->key[k], key))
					break;
			if (k == rs->nkeys)
				snprintf(rs->key[rs->nkeys++], sizeof(*rs->key),
					 "%s", key);
			rs->row[k * g->n + i] = c;
		}
	}
}

void free_rows(struct rows *rs)
{
	free(rs->key);
	free(rs->row);
}

/* The first run's row of key k that says why it skipped, or NULL. */
const char *row_skipped(const struct rows *rs, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < rs->nruns; i++) {
		const struct jnode *c = rs->row[k * rs->nruns + i];

		if (c && json_get(c, "skipped"))
			return json_str_at(c, "skipped", "?");
	}
	return NULL;
}
