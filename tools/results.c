// SPDX-License-Identifier: GPL-2.0
/*
 * results: read benchmark JSON back.
 *
 *   results summary DIR [--force]  write DIR/summary.md (and print it)
 *   results plotdata DIR [--force] write DIR/plots/NAME.dat for gnuplot
 *
 * Every field a command reads is checked when a document is loaded
 * (present, a number where one is meant, finite, within a plausible
 * range, p50 <= p90 <= p99 <= max): a document that fails is refused in
 * one line naming the file and the field.  The runs of one directory
 * must share kernel, CPU and emulated flag, and the runs of one
 * configuration its size, passes and sampling batch: a mix is refused
 * unless --force (then a warning names it).
 *   results compare A B [--stat mean|p50|p99] [--alpha X]
 *                       [--fail-on-regression PCT] [--across-kernels]
 *                       [--force] [--tsv]
 *   results mdc SD_PCT [ALPHA]     the smallest change compare can call
 *                                  for 2..10 runs a side, per-run sd given
 *   results attach-perf RESULT.json PERF.csv
 *                                  add `perf stat -x,` counts to a result
 *
 * A directory holds one document per run of a configuration
 * (scripts/bench's NAME-runK.json; older directories one NAME.json each,
 * read as one run).  Documents are grouped by what they measured (the
 * fault_bench configuration; convert_bench's VM kind, then each
 * conversion row by path, size, direction and state), never by file name.
 * summary and plotdata give, per configuration, the median over runs of
 * each run's own figure and the spread of the runs' p50; the latency CDF
 * pools the runs' histograms; the split plot is the first run's.
 *
 * compare decides on runs, not samples: what varies between two runs of
 * the same binary is the run (the VM, where its memory landed, the
 * host's state), so the tens of thousands of samples of one run are not
 * independent evidence.  For each configuration and each of the per-run
 * statistics mean, p50 and p99 it prints the change of the mean over
 * runs as a percentage of A's, its 1 - alpha interval (Welch on the
 * per-run values: Welch-Satterthwaite df, Student-t quantile), and A's
 * noise, the run-to-run relative sd (sd / mean) of A's runs.  The verdict
 * comes from one statistic (--stat, default p50): "slower" or "faster"
 * only when the interval excludes 0 and |change| exceeds A's noise
 * (lib/results/samples.c run_change()); with one run on a side there is no
 * verdict.  The per-sample distributions (pooled over runs) are printed
 * for reading, with Welch's p treating samples as independent, marked
 * informational.  --fail-on-regression PCT exits 1 when a "slower"
 * verdict's interval lower bound exceeds PCT percent.  --tsv prints one
 * tab-separated line per configuration and statistic instead (for
 * scripts/calibrate-compare).  Both runs' host, kernel, CPU, suite
 * revision and emulated flag come first; no verdict (exit 2) when one
 * run is emulated and the other is not, or the CPUs differ, unless
 * --force, or the kernels differ, unless --across-kernels (or --force),
 * or a configuration both ran was sampled with another size, pass count,
 * guest page size, backing or batch, unless --force.
 * Malformed or mismatched input: a one-line error and exit 2.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gmem.h"
#include "jsonread.h"
#include "samples.h"
#include "test_util.h"

struct doc {
	char path[512];
	struct jnode *root;
	const char *tool;
};

struct run {
	struct doc *docs;
	unsigned int n, cap;
};

static const char *prog = "results";
/* --force: use a directory whose runs differ (kernel, CPU, size ...). */
static bool force_mixed;

static void __noreturn die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(2);
}

/* Version order: NAME-run2.json before NAME-run10.json. */
static int cmp_doc(const void *a, const void *b)
{
	return strverscmp(((const struct doc *)a)->path,
			  ((const struct doc *)b)->path);
}

/* ---- What a document must hold before any of it is used --------------- */

/* A number the tool uses: [lo, hi], lo excluded when positive is set. */
struct num_rule {
	const char *path;
	double lo, hi;
	bool positive;
};

/* 1000 s in ns: no page fault or conversion row of a run takes longer. */
#define MAX_NS	1e12

static const struct num_rule fault_rules[] = {
	{ "config.size", 4096, 1ULL << 50, false },
	{ "config.vcpus", 1, 4096, false },
	{ "config.guest_page", 4096, 1 << 30, false },
	{ "config.iterations", 1, 1000, false },
	{ "results.latency_ns.mean", 0, MAX_NS, true },
	{ "results.latency_ns.p50", 0, MAX_NS, true },
	{ "results.latency_ns.p90", 0, MAX_NS, true },
	{ "results.latency_ns.p99", 0, MAX_NS, true },
	{ "results.latency_ns.max", 0, MAX_NS, true },
	{ "results.untimed_ns_per_page", 0, MAX_NS, true },
	{ "results.resident_floor_ns.p50", 0, MAX_NS, true },
	{ "results.timing_overhead_ns.p50", 0, MAX_NS, true },
	{ "results.pages_per_s", 0, 1e12, true },
};

static const char *const fault_strings[] = {
	"config.backing", "config.access", "config.pattern",
};

static void __noreturn refuse_field(const char *path, const char *field,
				    const char *why)
{
	fprintf(stderr, "%s: %s: field \"%s\" %s\n", prog, path, field, why);
	exit(2);
}

/* The number at field of n: present, a number, finite, within the rule. */
static double check_num(const char *path, const struct jnode *n,
			const struct num_rule *r)
{
	const struct jnode *v = json_get(n, r->path);
	char why[160];

	if (!v)
		refuse_field(path, r->path, "missing");
	if (v->type != J_NUM)
		refuse_field(path, r->path, "is not a number");
	if (!isfinite(v->num))
		refuse_field(path, r->path, "is not finite");
	if ((r->positive && v->num <= r->lo) || v->num < r->lo ||
	    v->num > r->hi) {
		snprintf(why, sizeof(why), "= %.6g, outside %s%.6g, %.6g]",
			 v->num, r->positive ? "(" : "[", r->lo, r->hi);
		refuse_field(path, r->path, why);
	}
	return v->num;
}

static void check_str(const char *path, const struct jnode *n,
		      const char *field)
{
	const struct jnode *v = json_get(n, field);

	if (!v)
		refuse_field(path, field, "missing");
	if (v->type != J_STR || !*v->str)
		refuse_field(path, field, "is not a non-empty string");
}

static void check_order(const char *path, const struct jnode *n,
			const char *a, const char *b)
{
	char why[200];

	if (json_num(n, a, 0) > json_num(n, b, 0)) {
		snprintf(why, sizeof(why), "(%.6g) exceeds \"%s\" (%.6g)",
			 json_num(n, a, 0), b, json_num(n, b, 0));
		refuse_field(path, a, why);
	}
}

static void check_fault_doc(const char *path, const struct jnode *root)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fault_strings); i++)
		check_str(path, root, fault_strings[i]);
	/* A run that skipped says why and measured nothing. */
	if (json_get(root, "results.skipped"))
		return;
	for (i = 0; i < ARRAY_SIZE(fault_rules); i++)
		check_num(path, root, &fault_rules[i]);
	check_order(path, root, "results.latency_ns.p50",
		    "results.latency_ns.p90");
	check_order(path, root, "results.latency_ns.p90",
		    "results.latency_ns.p99");
	check_order(path, root, "results.latency_ns.p99",
		    "results.latency_ns.max");
}

static void check_convert_row(const char *path, const struct jnode *c,
			      unsigned int i)
{
	static const struct num_rule size = { "size", 4096, 1ULL << 50, false };
	static const char *const stats[] = { "host_ns", "guest_round_trip_ns" };
	char field[160];
	unsigned int k, have = 0;

	if (c->type != J_OBJ) {
		snprintf(field, sizeof(field), "results.conversions.%u", i);
		refuse_field(path, field, "is not an object");
	}
	if (json_get(c, "skipped"))
		return;
	for (k = 0; k < 2; k++) {
		char sub[64];
		const char *q[] = { "p50", "p99" };
		unsigned int j;

		if (!json_get(c, stats[k]))
			continue;
		have++;
		for (j = 0; j < 2; j++) {
			snprintf(sub, sizeof(sub), "%s.%s", stats[k], q[j]);
			snprintf(field, sizeof(field),
				 "results.conversions.%u.%s", i, sub);
			if (!json_get(c, sub))
				refuse_field(path, field, "missing");
			if (json_get(c, sub)->type != J_NUM ||
			    !isfinite(json_num(c, sub, NAN)) ||
			    json_num(c, sub, 0) <= 0 ||
			    json_num(c, sub, 0) > MAX_NS)
				refuse_field(path, field, "is not a number in "
					     "(0, 1e12] ns");
		}
	}
	snprintf(field, sizeof(field), "results.conversions.%u", i);
	if (!have)
		refuse_field(path, field, "has neither host_ns nor "
			     "guest_round_trip_ns");
	if (!json_get(c, "path") || json_get(c, "path")->type != J_STR ||
	    !*json_str_at(c, "path", ""))
		refuse_field(path, field, "has no path name");
	if (strcmp(json_str_at(c, "direction", ""), "to_private") &&
	    strcmp(json_str_at(c, "direction", ""), "to_shared"))
		refuse_field(path, field, "has no direction (to_private or "
			     "to_shared)");
	if (!json_get(c, "size") || json_get(c, "size")->type != J_NUM ||
	    !isfinite(json_num(c, "size", NAN)) ||
	    json_num(c, "size", 0) < size.lo || json_num(c, "size", 0) >
	    size.hi)
		refuse_field(path, field, "has no size in [4096, 2^50]");
}

static void check_convert_doc(const char *path, const struct jnode *root)
{
	const struct jnode *rows = json_get(root, "results.conversions"), *c;
	unsigned int i = 0;

	if (!rows)
		refuse_field(path, "results.conversions", "missing");
	if (rows->type != J_ARR)
		refuse_field(path, "results.conversions", "is not an array");
	for (c = rows->child; c; c = c->next)
		check_convert_row(path, c, i++);
}

/* Everything the commands read of a document, checked once at load. */
static void check_doc(const struct doc *d)
{
	const struct jnode *e = json_get(d->root, "emulated");

	check_str(d->path, d->root, "host.kernel_release");
	check_str(d->path, d->root, "host.cpu_model");
	if (!e || e->type != J_BOOL)
		refuse_field(d->path, "emulated", "is not true or false");
	if (!strcmp(d->tool, "fault_bench"))
		check_fault_doc(d->path, d->root);
	else if (!strcmp(d->tool, "convert_bench"))
		check_convert_doc(d->path, d->root);
}

/* A string (or bool) field of two documents, as text, for comparison. */
static const char *field_text(const struct jnode *root, const char *field,
			      char *buf, size_t len)
{
	const struct jnode *v = json_get(root, field);

	if (!v)
		return "(none)";
	if (v->type == J_STR)
		return v->str;
	if (v->type == J_BOOL)
		return v->b ? "true" : "false";
	if (v->type == J_NUM) {
		snprintf(buf, len, "%.17g", v->num);
		return buf;
	}
	return "(not a value)";
}

/* Refuse, in one line, two documents that differ in field (not --force). */
static void check_same(const struct doc *a, const struct doc *b,
		       const char *field, const char *what)
{
	char ba[64], bb[64];
	const char *x = field_text(a->root, field, ba, sizeof(ba));
	const char *y = field_text(b->root, field, bb, sizeof(bb));

	if (!strcmp(x, y))
		return;
	if (force_mixed) {
		fprintf(stderr, "%s: warning: --force: runs of different %s: %s (%s) and "
			"%s (%s)\n", prog, what, a->path, x, b->path, y);
		return;
	}
	fprintf(stderr, "%s: runs of different %s in one directory: %s (%s) "
		"and %s (%s); --force to use them anyway\n", prog, what,
		a->path, x, b->path, y);
	exit(2);
}

/* Every run of a directory from the same kernel, CPU and emulation. */
static void check_run_facts(const struct run *r)
{
	unsigned int i;

	for (i = 1; i < r->n; i++) {
		check_same(&r->docs[0], &r->docs[i], "host.kernel_release",
			   "kernels");
		check_same(&r->docs[0], &r->docs[i], "host.cpu_model", "CPUs");
		check_same(&r->docs[0], &r->docs[i], "emulated",
			   "emulation (emulated flag)");
	}
}

static void load_file(struct run *r, const char *path)
{
	char err[256];
	struct doc *d;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->docs = realloc(r->docs, r->cap * sizeof(*r->docs));
		TEST_ASSERT(r->docs, "realloc %u result files", r->cap);
	}
	d = &r->docs[r->n];
	snprintf(d->path, sizeof(d->path), "%s", path);
	d->root = json_parse_file(path, err, sizeof(err));
	if (!d->root)
		die("%s: malformed result file: %s", path, err);
	if (json_num(d->root, "schema", -1) < 0)
		die("%s: not a gmemsuite result (no \"schema\")%s", path, "");
	d->tool = json_str_at(d->root, "tool", NULL);
	if (!d->tool)
		die("%s: no \"tool\" field%s", path, "");
	check_doc(d);
	r->n++;
}

/*
 * A directory's *.json benchmark files; host*.json are host reports
 * (host.json, or host-<configuration>.json when a run spans kernels),
 * runs.json scripts/bench's record of the order the runs ran in.
 */
static void load_run(struct run *r, const char *path)
{
	struct stat st;
	struct dirent *de;
	char full[1024];
	DIR *d;

	if (stat(path, &st))
		die("%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		load_file(r, path);
		return;
	}
	d = opendir(path);
	if (!d)
		die("%s: %s", path, strerror(errno));
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);

		if (l < 6 || strcmp(de->d_name + l - 5, ".json") ||
		    !strncmp(de->d_name, "host", 4) ||
		    !strcmp(de->d_name, "runs.json"))
			continue;
		snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
		load_file(r, full);
	}
	closedir(d);
	if (!r->n)
		die("%s: no result files (*.json)%s", path, "");
	qsort(r->docs, r->n, sizeof(r->docs[0]), cmp_doc);
}

static void free_run(struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		json_free(r->docs[i].root);
	free(r->docs);
	free(r);
}

static struct run *new_run(const char *path)
{
	struct run *r = calloc(1, sizeof(*r));

	TEST_ASSERT(r, "calloc");
	load_run(r, path);
	check_run_facts(r);
	return r;
}

/* What a run was measured on, from its first document. */
struct run_facts {
	const char *host, *kernel, *cpu, *rev;
	bool emulated;
};

static struct run_facts facts_of(const struct run *r)
{
	const struct jnode *root = r->docs[0].root, *h, *e;
	struct run_facts f;

	h = json_get(root, "host");
	e = json_get(root, "emulated");
	f.host = json_str_at(h, "hostname", "?");
	f.kernel = json_str_at(h, "kernel_release", "?");
	f.cpu = json_str_at(h, "cpu_model", "?");
	f.rev = json_str_at(root, "suite_revision", "?");
	f.emulated = e && e->b;
	return f;
}

/*
 * A plot title: the kernel and CPU a run measured (and the host, unless
 * it had no name, as in a vmcheck guest), and whether it was emulated.
 */
static void plot_title(const struct run *r, char *buf, size_t len)
{
	struct run_facts f = facts_of(r);
	bool named = strcmp(f.host, "(none)") && strcmp(f.host, "?");

	snprintf(buf, len, "kernel %s, %s%s%s%s", f.kernel, f.cpu,
		 named ? ", host " : "", named ? f.host : "",
		 f.emulated ? "; emulated (TCG): shape only, not timings" : "");
}

static bool flag(const struct jnode *n, const char *path)
{
	const struct jnode *f = json_get(n, path);

	return f && f->b;
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

/* ---- configurations and their runs ------------------------------------ */

/* The documents of one configuration: its runs, in file order. */
struct group {
	char key[300];		/* what compare matches */
	char ckey[160];		/* the configuration, from the content */
	char stem[128];		/* the file name without -runK.json */
	const char *tool;
	const struct jnode **doc;
	unsigned int n;
	unsigned int first;	/* r->docs index of its first document */
};

struct groups {
	struct group *g;
	unsigned int n;
	unsigned int interrupted;	/* documents left out */
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	TEST_ASSERT(p, "calloc %zu x %zu", n, size);
	return p;
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

static void group_run(const struct run *r, struct groups *gs,
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
			g->first = i;
		} else {
			check_same_config(&r->docs[gs->g[k].first],
					  &r->docs[i]);
		}
		gs->g[k].doc[gs->g[k].n++] = d;
	}
	for (k = 0; k < gs->n; k++)
		for (i = 0; i < gs->n; i++)
			if (i != k && !strcmp(gs->g[k].ckey, gs->g[i].ckey))
				snprintf(gs->g[k].key, sizeof(gs->g[k].key),
					 "%s [%s]", gs->g[k].ckey,
					 gs->g[k].stem);
}

static void free_groups(struct groups *gs)
{
	unsigned int k;

	for (k = 0; k < gs->n; k++)
		free(gs->g[k].doc);
	free(gs->g);
}

/* The fewest and most runs of any configuration. */
static void runs_range(const struct groups *gs, unsigned int *lo,
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
static unsigned int values_of(const struct jnode *const *node, unsigned int n,
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

static double median(double *v, unsigned int n)
{
	struct sample_stats s;

	if (!n)
		return NAN;
	stats_compute(v, n, &s);
	return s.p50;
}

/* Median over runs of the value at path; NAN when no run has it. */
static double median_at(const struct jnode *const *node, unsigned int n,
			const char *path)
{
	double *v = xcalloc(n, sizeof(*v)), m;

	m = median(v, values_of(node, n, path, v));
	free(v);
	return m;
}

/* (max - min) / mean of the runs' values at path, percent; NAN for < 2. */
static double spread_at(const struct jnode *const *node, unsigned int n,
			const char *path)
{
	double *v = xcalloc(n, sizeof(*v));
	struct sample_stats s;
	unsigned int m = values_of(node, n, path, v);

	stats_compute(v, m, &s);
	free(v);
	return m > 1 && s.mean ? 100 * (s.max - s.min) / s.mean : NAN;
}

/*
 * A convert_bench configuration's conversion rows: every row key any
 * run has, in order of first appearance; row[k * n + i] is run i's row
 * for key k, or NULL.
 */
struct rows {
	char (*key)[96];
	const struct jnode **row;
	unsigned int nkeys, nruns;
};

static void rows_of(const struct group *g, struct rows *rs)
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

static void free_rows(struct rows *rs)
{
	free(rs->key);
	free(rs->row);
}

/* The first run's row of key k that says why it skipped, or NULL. */
static const char *row_skipped(const struct rows *rs, unsigned int k)
{
	unsigned int i;

	for (i = 0; i < rs->nruns; i++) {
		const struct jnode *c = rs->row[k * rs->nruns + i];

		if (c && json_get(c, "skipped"))
			return json_str_at(c, "skipped", "?");
	}
	return NULL;
}

/* ---- summary ------------------------------------------------------------ */

static void summary_fault(FILE *o, const struct groups *gs)
{
	unsigned int k;
	bool head = false;

	for (k = 0; k < gs->n; k++) {
		const struct group *g = &gs->g[k];
		const struct jnode *const *d = g->doc;
		double sp = spread_at(d, g->n, "results.latency_ns.p50");
		char spread[32] = "-";

		if (strcmp(g->tool, "fault_bench"))
			continue;
		if (!head) {
			fprintf(o, "## Guest page faults (fault_bench)\n\n"
				"| configuration | runs | p50 us | p50 spread "
				"| p90 us | p99 us | max us | untimed us/page "
				"| resident floor us | timing floor us | "
				"pages/s |\n"
				"|---|---|---|---|---|---|---|---|---|---|---|"
				"\n");
			head = true;
		}
		if (!isnan(sp))
			snprintf(spread, sizeof(spread), "%.1f%%", sp);
		fprintf(o, "| %s | %u | %.2f | %s | %.2f | %.2f | %.1f | %.2f "
			"| %.2f | %.2f | %.0f |\n", g->key, g->n,
			median_at(d, g->n, "results.latency_ns.p50") / 1e3,
			spread,
			median_at(d, g->n, "results.latency_ns.p90") / 1e3,
			median_at(d, g->n, "results.latency_ns.p99") / 1e3,
			median_at(d, g->n, "results.latency_ns.max") / 1e3,
			median_at(d, g->n, "results.untimed_ns_per_page") /
			1e3,
			median_at(d, g->n, "results.resident_floor_ns.p50") /
			1e3,
			median_at(d, g->n, "results.timing_overhead_ns.p50") /
			1e3, median_at(d, g->n, "results.pages_per_s"));
	}
	if (head)
		fprintf(o, "\nA page's sample is the whole loop iteration "
			"(access, lfence, rdtsc, store); the floors are the "
			"same loop over resident memory and with no access. "
			"\"untimed\" is the same first touch timed only as a "
			"whole, one such pass before each timed pass.  With "
			"several runs of a configuration (separate processes "
			"and VMs) every figure is the median of the runs' own "
			"figures, and \"p50 spread\" is (max - min) / mean of "
			"the runs' p50s: changes smaller than that are noise "
			"(`results compare` judges them run by run).\n\n");
}

static void summary_convert(FILE *o, const struct groups *gs)
{
	unsigned int k, j;

	for (k = 0; k < gs->n; k++) {
		const struct group *g = &gs->g[k];
		const struct jnode *const *d = g->doc, *c, *s;
		struct rows rs;

		if (strcmp(g->tool, "convert_bench"))
			continue;
		/* "convert on snp [convert-in-place]": what follows
		 * "convert". */
		fprintf(o, "## Conversions (convert_bench%s)\n\n",
			g->key + strlen("convert"));
		if (g->n > 1)
			fprintf(o, "%u runs; each figure is the median of the "
				"runs' own.\n\n", g->n);
		fprintf(o, "Floor: bare exit round trip p50 %.2f us.\n\n",
			median_at(d, g->n, "results.exit_round_trip_ns.p50") /
			1e3);
		s = json_get(d[0], "results.skipped");
		for (c = s ? s->child : NULL; c; c = c->next)
			fprintf(o, "- %s: skipped: %s\n", c->key, c->str);
		if (json_get(d[0], "results.timed"))
			fprintf(o, "\nTimed: %s.\n",
				json_str_at(d[0], "results.timed", "?"));
		rows_of(g, &rs);
		if (rs.nkeys)
			fprintf(o, "\n| path | size | to | state | runs | host "
				"p50 us | host p50 spread | host p99 us | x "
				"zeroing | guest round trip p50 us | x exit |\n"
				"|---|---|---|---|---|---|---|---|---|---|---|"
				"\n");
		for (j = 0; j < rs.nkeys; j++) {
			const struct jnode **row = &rs.row[j * g->n];
			const char *skip = row_skipped(&rs, j);
			double sp = spread_at(row, g->n, "host_ns.p50");
			unsigned int i, m = 0;

			for (i = 0; i < g->n; i++)
				m += !!row[i];
			for (i = 0; !row[i]; i++)
				;
			fprintf(o, "| %s | %.0fK | %s | %s | %u | ",
				json_str_at(row[i], "path", "?"),
				json_num(row[i], "size", 0) / 1024,
				json_str_at(row[i], "direction", "?"),
				flag(row[i], "populated") ? "populated" :
				"untouched", m);
			if (skip) {
				fprintf(o, "skipped: %s | | | | | |\n", skip);
				continue;
			}
			/* Host-only conversions are not timed on snp/tdx. */
			if (json_get(row[i], "host_ns")) {
				fprintf(o, "%.1f | ",
					median_at(row, g->n, "host_ns.p50") /
					1e3);
				if (isnan(sp))
					fprintf(o, "- | ");
				else
					fprintf(o, "%.1f%% | ", sp);
				fprintf(o, "%.1f | %.2f | ",
					median_at(row, g->n, "host_ns.p99") /
					1e3, median_at(row, g->n, "x_zeroing"));
			} else {
				fprintf(o, "- | - | - | - | ");
			}
			fprintf(o, "%.1f | %.1f |\n",
				median_at(row, g->n,
					  "guest_round_trip_ns.p50") / 1e3,
				median_at(row, g->n, "x_exit"));
		}
		free_rows(&rs);
		fprintf(o, "\n");
	}
}

/* Runs that skipped as a whole (scripts/bench writes skipped.md). */
static void summary_skipped(FILE *o, const char *dir)
{
	char path[1024], line[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/skipped.md", dir);
	f = fopen(path, "re");
	if (!f)
		return;
	fprintf(o, "## Skipped\n\n");
	while (fgets(line, sizeof(line), f))
		fputs(line, o);
	fclose(f);
}

/*
 * What this run's host could not test, in one line each, and where it
 * can be tested: guest_memfd absent (a 6.8+ build without it, or an
 * older kernel), no VM type with private memory.
 */
static void summary_host_limits(FILE *o, const struct jnode *h)
{
	const char *rel = json_str_at(h, "kernel_release", "?");
	const struct jnode *sw = json_get(h, "vm_types.sw_protected.created");

	if (!json_get(h, "caps.guest_memfd"))
		return;
	if (json_num(h, "caps.guest_memfd", 0) == 0)
		fprintf(o, "**Not testable on this host:** guest_memfd (%s).\n\n",
			gmem_absent_reason(rel));
	else if (sw && sw->type == J_BOOL && !sw->b)
		fprintf(o, "**Not testable on this host:** private memory and "
			"conversions (no KVM_X86_SW_PROTECTED_VM on %s: it needs "
			"CONFIG_KVM_SW_PROTECTED_VM=y and the TDP MMU); make "
			"vmcheck measures them on a kernel that has it.\n\n", rel);
}

static int cmd_summary(const char *dir)
{
	struct run *r = new_run(dir);
	struct groups gs;
	unsigned int lo, hi;
	char path[1024], runs[64];
	const struct jnode *h;
	FILE *o;

	group_run(r, &gs, false);
	runs_range(&gs, &lo, &hi);
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	o = fopen(path, "we");
	if (!o)
		die("%s: %s", path, strerror(errno));
	h = json_get(r->docs[0].root, "host");
	if (lo == hi)
		snprintf(runs, sizeof(runs), "%u", lo);
	else
		snprintf(runs, sizeof(runs), "%u..%u", lo, hi);
	plot_title(r, path, sizeof(path));
	fprintf(o, "# gmemsuite results\n\n%s; %.0f CPUs; suite %s; %s; "
		"%s run(s) per configuration\n\n",
		path, json_num(h, "nr_cpus", 0),
		json_str_at(r->docs[0].root, "suite_revision", "?"),
		json_str_at(r->docs[0].root, "date", "?"), runs);
	summary_host_limits(o, h);
	summary_fault(o, &gs);
	summary_convert(o, &gs);
	summary_skipped(o, dir);
	fclose(o);
	free_groups(&gs);
	free_run(r);
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	printf("wrote %s\n", path);
	return 0;
}

/* ---- plotdata ----------------------------------------------------------- */

static FILE *dat(const char *dir, const char *name)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/plots/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		die("%s: %s", path, strerror(errno));
	return f;
}

/* The latency CDF of a fault_bench configuration, its runs pooled. */
static void plot_cdf(const char *dir, const struct group *g)
{
	double count[HIST_BUCKETS] = { 0 }, total = 0, run = 0;
	const struct jnode *d = g->doc[0], *b, *c;
	char name[224], *q;
	unsigned int i;
	bool first = true;
	FILE *cdf;

	for (i = 0; i < g->n; i++) {
		b = json_get(g->doc[i], "results.histogram.buckets");
		for (c = b ? b->child : NULL; c; c = c->next) {
			double lo = json_num(c, "0", 0);
			long k = lo > 0 ? lround(log10(lo) * HIST_PER_DECADE) :
				 0;

			if (k < 0 || k >= HIST_BUCKETS)
				continue;
			count[k] += json_num(c, "1", 0);
			total += json_num(c, "1", 0);
		}
	}
	/* --node runs: one file per node (local, remote). */
	snprintf(name, sizeof(name), "cdf_%s_x%.0f%s.dat",
		 json_str_at(d, "config.backing", "x"),
		 json_num(d, "config.vcpus", 0),
		 strstr(g->key, " node ") ? strstr(g->key, " node ") : "");
	for (q = name; *q; q++)
		if (*q == ' ')
			*q = '_';
	cdf = dat(dir, name);
	fprintf(cdf, "# %s (%u run(s) pooled)\n"
		"# latency_us cumulative_fraction\n", g->key, g->n);
	for (i = 0; i < HIST_BUCKETS; i++) {
		if (!count[i])
			continue;
		/* Start the steps at 0 below the first bucket. */
		if (first)
			fprintf(cdf, "%.4f 0\n", hist_bucket_lo(i) / 1e3);
		first = false;
		run += count[i];
		fprintf(cdf, "%.4f %.6f\n", hist_bucket_lo(i) / 1e3,
			total ? run / total : 0);
	}
	fclose(cdf);
}

static void plot_convert(const char *dir, const struct group *g, FILE *conv)
{
	const struct jnode *b = json_get(g->doc[0], "results.split");
	struct rows rs;
	unsigned int j;

	rows_of(g, &rs);
	for (j = 0; j < rs.nkeys; j++) {
		const struct jnode **row = &rs.row[j * g->n], *f, *c;
		double *floors = xcalloc(g->n, sizeof(*floors));
		char label[200];
		unsigned int i, nf = 0;

		for (i = 0; !row[i]; i++)
			;
		c = row[i];
		/* Each run's zeroing floor at this row's size. */
		for (i = 0; i < g->n; i++) {
			f = json_get(g->doc[i], "results.floor");
			for (f = f ? f->child : NULL; f; f = f->next)
				if (json_num(f, "size", -1) ==
				    json_num(c, "size", -2))
					floors[nf++] = json_num(f,
							"memset_ns.p50", 0);
		}
		/*
		 * Several convert documents of one kind (kernels side by
		 * side): each path's curve names its file.
		 */
		snprintf(label, sizeof(label), "%s", json_str_at(c, "path",
								 "?"));
		if (strcmp(g->key, g->ckey))
			snprintf(label + strlen(label),
				 sizeof(label) - strlen(label), "(%s)",
				 strncmp(g->stem, "convert-", 8) ? g->stem :
				 g->stem + 8);
		fprintf(conv, "%s %s %s %.0f %.3f %.3f\n", label,
			json_str_at(c, "direction", "?"),
			flag(c, "populated") ? "populated" : "untouched",
			json_num(c, "size", 0),
			row_skipped(&rs, j) ? 0 :
			median_at(row, g->n, "host_ns.p50") / 1e3,
			nf ? median(floors, nf) / 1e3 : 0);
		free(floors);
	}
	free_rows(&rs);
	/* The split mode: the first run's. */
	if (b && json_get(b, "before")) {
		FILE *s = dat(dir, "split.dat");
		const char *st[] = { "before", "after_to_private",
				     "after_back_to_shared" };
		unsigned int k;

		fprintf(s, "# step reaccess_us pages_4k pages_2m\n");
		for (k = 0; k < 3; k++) {
			const struct jnode *step = json_get(b, st[k]);

			fprintf(s, "%s %.4f %.0f %.0f\n", st[k],
				json_num(step, "reaccess_us_per_page", 0),
				json_num(step, "pages_4k", 0),
				json_num(step, "pages_2m", 0));
		}
		fclose(s);
	}
}

static int cmd_plotdata(const char *dir)
{
	struct run *r = new_run(dir);
	struct groups gs;
	FILE *vc, *conv, *t;
	char path[1024];
	unsigned int k;

	group_run(r, &gs, false);
	snprintf(path, sizeof(path), "%s/plots", dir);
	mkdir(path, 0755);
	t = dat(dir, "title.txt");
	plot_title(r, path, sizeof(path));
	fprintf(t, "%s\n", path);
	fclose(t);
	vc = dat(dir, "fault_vs_vcpus.dat");
	fprintf(vc, "# backing vcpus p50_us p99_us (median over runs)\n");
	conv = dat(dir, "convert_cost.dat");
	fprintf(conv, "# path direction state size_bytes host_p50_us "
		"memset_p50_us (median over runs)\n");
	for (k = 0; k < gs.n; k++) {
		const struct group *g = &gs.g[k];

		if (!strcmp(g->tool, "fault_bench")) {
			fprintf(vc, "%s %.0f %.3f %.3f\n",
				json_str_at(g->doc[0], "config.backing", "?"),
				json_num(g->doc[0], "config.vcpus", 0),
				median_at(g->doc, g->n,
					  "results.latency_ns.p50") / 1e3,
				median_at(g->doc, g->n,
					  "results.latency_ns.p99") / 1e3);
			plot_cdf(dir, g);
		} else {
			plot_convert(dir, g, conv);
		}
	}
	fclose(vc);
	fclose(conv);
	free_groups(&gs);
	free_run(r);
	return 0;
}

/* ---- compare ------------------------------------------------------------ */

struct compare_opts {
	double alpha, fail_pct;
	const char *stat;	/* --stat: deciding everywhere, or NULL */
	bool tsv;
};

struct tally {
	unsigned int compared, verdict[VERDICT_FASTER + 1];
	int regressed;
};

/*
 * The per-run statistics compare prints: each run's untimed cost per
 * page (fault_bench's pass timed only as a whole, beside the sampled
 * one) and the sampled distribution's mean and percentiles.
 */
struct stat_def {
	const char *name;
	const char *path;	/* in the run's statistics object, or */
	bool in_doc;		/* in the run's document */
};

static const struct stat_def stat_defs[] = {
	{ "untimed", "results.untimed_ns_per_page", true },
	{ "mean", "mean", false },
	{ "p50", "p50", false },
	{ "p90", "p90", false },
	{ "p99", "p99", false },
};

/*
 * The statistic a verdict comes from without --stat, per kind of
 * measurement (scripts/calibrate-inject: a delay added to KVM's fault
 * path or to KVM_SET_MEMORY_ATTRIBUTES).  Faults: the untimed cost per
 * page, which takes the whole added cost and nothing of the per-page
 * timer; a sampled percentile sits on the timer's floor where the
 * hypervisor emulates the instructions after a fault (PVM).
 * Conversions, each call timed on the host: p50, which moved with the
 * added cost while the mean also carried the rare slow call.
 */
#define DEFAULT_STAT_FAULT	"untimed"
#define DEFAULT_STAT_CONVERT	"p50"

/* Welch on the samples of all runs pooled: for reading only. */
static void pool_samples(const struct jnode *const *s, unsigned int n,
			 double *count, double *mean, double *sd)
{
	double sum = 0, ss = 0;
	unsigned int i;

	*count = 0;
	for (i = 0; i < n; i++) {
		*count += json_num(s[i], "n", 0);
		sum += json_num(s[i], "n", 0) * json_num(s[i], "mean", 0);
	}
	*mean = *count ? sum / *count : NAN;
	for (i = 0; i < n; i++) {
		double ni = json_num(s[i], "n", 0), sdi = json_num(s[i],
								   "stddev", 0);
		double dm = json_num(s[i], "mean", 0) - *mean;

		ss += (ni > 1 ? (ni - 1) * sdi * sdi : 0) + ni * dm * dm;
	}
	*sd = *count > 1 ? sqrt(ss / (*count - 1)) : 0;
}

static double cov_pct(const double *v, unsigned int n)
{
	double *c = xcalloc(n, sizeof(*c));
	struct sample_stats s;

	memcpy(c, v, n * sizeof(*v));
	stats_compute(c, n, &s);
	free(c);
	return n > 1 && s.mean ? 100 * s.stddev / s.mean : NAN;
}

/* One statistic's line: the change, its interval, A's noise, verdict. */
static void print_change(const char *stat, bool decides,
			 const struct run_change *c, const double *va,
			 unsigned int ma, const double *vb, unsigned int mb)
{
	char ci[48] = "", noise[16] = "-";
	unsigned int i;

	if (c->verdict != VERDICT_NONE_ONE_RUN) {
		snprintf(ci, sizeof(ci), "[%+.2f%%, %+.2f%%]", c->lo_pct,
			 c->hi_pct);
		snprintf(noise, sizeof(noise), "%.2f%%", c->noise_pct);
	}
	printf("  %s %-7s %10.3f %10.3f %+8.2f%%  %-22s %8s  ",
	       decides ? "*" : " ", stat, c->mean_a / 1e3, c->mean_b / 1e3,
	       c->change_pct, ci, noise);
	if (c->verdict == VERDICT_NONE_ONE_RUN && decides)
		printf("no verdict: 1 run in %s; significance needs 2+ runs "
		       "per side (make bench RUNS=3)\n", ma < 2 ? "A" : "B");
	else if (c->verdict == VERDICT_NONE_ONE_RUN)
		printf("-\n");
	else
		printf(decides ? "%s\n" : "(%s)\n", verdict_name(c->verdict));
	if (!decides || (ma < 2 && mb < 2))
		return;
	printf("    %s per run, us: A", stat);
	for (i = 0; i < ma; i++)
		printf(" %.3f", va[i] / 1e3);
	printf(" | B");
	for (i = 0; i < mb; i++)
		printf(" %.3f", vb[i] / 1e3);
	printf("\n");
}

/*
 * One configuration's metric: the per-run statistics objects (n, mean,
 * stddev, p50, p99) of A's and B's runs.
 */
static void compare_metric(const char *key, const char *label,
			   const struct jnode *const *sa, unsigned int na,
			   const struct jnode *const *sb, unsigned int nb,
			   const struct jnode *const *da,
			   const struct jnode *const *db, const char *stat,
			   const struct compare_opts *o, struct tally *t)
{
	double *va = xcalloc(na, sizeof(*va)), *vb = xcalloc(nb, sizeof(*vb));
	double cnt_a, mean_a, sd_a, cnt_b, mean_b, sd_b, pv;
	unsigned int k, ma, mb;

	t->compared++;
	if (!o->tsv)
		printf("\n%s, %s: runs A %u, B %u\n"
		       "  %-9s %10s %10s %9s  %-22s %8s  %s\n", key, label, na,
		       nb, "  stat", "A us", "B us", "change",
		       "interval of change", "noise A", "verdict");
	for (k = 0; k < ARRAY_SIZE(stat_defs); k++) {
		const struct stat_def *sd = &stat_defs[k];
		const char *name = sd->name;
		bool decides = !strcmp(name, stat), regress;
		struct run_change c;

		if (sd->in_doc && (!da || !db))
			continue;
		ma = values_of(sd->in_doc ? da : sa, na, sd->path, va);
		mb = values_of(sd->in_doc ? db : sb, nb, sd->path, vb);
		if (ma < na || mb < nb)
			die("%s: %s: a run without its statistics", key, name);
		run_change(va, ma, vb, mb, o->alpha, &c);
		/* The slowdown is above PCT with confidence 1 - alpha/2. */
		regress = decides && c.verdict == VERDICT_SLOWER &&
			  o->fail_pct >= 0 && c.lo_pct > o->fail_pct;
		if (decides) {
			t->verdict[c.verdict]++;
			t->regressed += regress;
		}
		if (o->tsv) {
			printf("%s\t%s\t%s\t%d\t%u\t%u\t%.6g\t%.6g\t%.4f\t"
			       "%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\n", key, label,
			       name, decides, ma, mb, c.mean_a,
			       c.mean_b, c.change_pct, c.lo_pct, c.hi_pct,
			       c.noise_pct, cov_pct(va, ma), cov_pct(vb, mb),
			       verdict_key(c.verdict));
			continue;
		}
		print_change(name, decides, &c, va, ma, vb, mb);
		if (regress)
			printf("  REGRESSION: %s slower by %+.2f%%, the "
			       "interval's lower bound %+.2f%% above %.2f%%\n",
			       name, c.change_pct, c.lo_pct,
			       o->fail_pct);
	}
	free(va);
	free(vb);
	if (o->tsv)
		return;
	pool_samples(sa, na, &cnt_a, &mean_a, &sd_a);
	pool_samples(sb, nb, &cnt_b, &mean_b, &sd_b);
	if (cnt_a < 2 || cnt_b < 2)
		return;
	pv = welch_p(mean_a, sd_a, cnt_a, mean_b, sd_b, cnt_b, NULL, NULL);
	printf("  samples, all runs (informational, never a verdict): n %.0f "
	       "-> %.0f, mean %.3f -> %.3f us, sd %.3f -> %.3f us, CoV "
	       "%.1f%% -> %.1f%%, Welch p %.2g as if samples were "
	       "independent\n", cnt_a, cnt_b, mean_a / 1e3, mean_b / 1e3,
	       sd_a / 1e3, sd_b / 1e3, mean_a ? 100 * sd_a / mean_a : 0,
	       mean_b ? 100 * sd_b / mean_b : 0, pv);
}

/* The statistics object at path of every run (NULL where absent). */
static unsigned int stats_of(const struct jnode *const *node, unsigned int n,
			     const char *path, const struct jnode **out)
{
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		const struct jnode *s = node[i] ? json_get(node[i], path) :
					NULL;

		if (s && s->type == J_OBJ)
			out[m++] = s;
	}
	return m;
}

static void compare_fault(const struct group *ga, const struct group *gb,
			  const struct compare_opts *o, struct tally *t)
{
	const struct jnode **sa = xcalloc(ga->n, sizeof(*sa));
	const struct jnode **sb = xcalloc(gb->n, sizeof(*sb));
	unsigned int na, nb;

	na = stats_of(ga->doc, ga->n, "results.latency_ns", sa);
	nb = stats_of(gb->doc, gb->n, "results.latency_ns", sb);
	if (na < ga->n || nb < gb->n)
		die("%s: a run without results.latency_ns%s", ga->key, "");
	compare_metric(ga->key, "latency", sa, na, sb, nb, ga->doc, gb->doc,
		       o->stat ? o->stat : DEFAULT_STAT_FAULT, o, t);
	free(sa);
	free(sb);
}

/*
 * Conversion rows by path, size, direction and state: the host-side
 * time where both sides have it; rows of confidential VMs have only the
 * guest's round trip (the host-only paths are not timed there).
 */
static void compare_convert(const struct group *ga, const struct group *gb,
			    const struct compare_opts *o, struct tally *t)
{
	const struct jnode **sa = xcalloc(ga->n, sizeof(*sa));
	const struct jnode **sb = xcalloc(gb->n, sizeof(*sb));
	/* A conversion is timed call by call: it has no untimed figure. */
	const char *cstat = o->stat && strcmp(o->stat, "untimed") ? o->stat :
			    DEFAULT_STAT_CONVERT;
	struct rows ra, rb;
	unsigned int j, k;

	rows_of(ga, &ra);
	rows_of(gb, &rb);
	for (j = 0; j < ra.nkeys; j++) {
		const struct jnode **rowa = &ra.row[j * ga->n], **rowb;
		const char *skip_a, *skip_b;
		char key[400];
		unsigned int na, nb;

		for (k = 0; k < rb.nkeys; k++)
			if (!strcmp(ra.key[j], rb.key[k]))
				break;
		if (k == rb.nkeys)
			continue;
		rowb = &rb.row[k * gb->n];
		snprintf(key, sizeof(key), "%s %s", ga->key, ra.key[j]);
		skip_a = row_skipped(&ra, j);
		skip_b = row_skipped(&rb, k);
		if (skip_a || skip_b) {
			if (!o->tsv)
				printf("\n%s: skipped in %s: %s\n", key,
				       skip_a && skip_b ? "A and B" :
				       skip_a ? "A" : "B",
				       skip_a ? skip_a : skip_b);
			continue;
		}
		na = stats_of(rowa, ga->n, "host_ns", sa);
		nb = stats_of(rowb, gb->n, "host_ns", sb);
		if (na && nb) {
			compare_metric(key, "host", sa, na, sb, nb, NULL, NULL,
				       cstat, o, t);
			continue;
		}
		na = stats_of(rowa, ga->n, "guest_round_trip_ns", sa);
		nb = stats_of(rowb, gb->n, "guest_round_trip_ns", sb);
		if (na && nb)
			compare_metric(key, "guest round trip (host not timed)",
				       sa, na, sb, nb, NULL, NULL, cstat, o, t);
		else if (!o->tsv)
			printf("\n%s: no time measured on both sides\n", key);
	}
	free_rows(&ra);
	free_rows(&rb);
	free(sa);
	free(sb);
}

static void print_facts(const char *name, const struct run_facts *f,
			bool tsv)
{
	printf("%s%s: host %s, kernel %s, CPU %s, suite %s%s\n",
	       tsv ? "# " : "", name, f->host, f->kernel, f->cpu, f->rev,
	       f->emulated ? ", EMULATED (TCG): functional timings only" : "");
}

/* NULL when a verdict means something, else why not. */
static const char *comparable(const struct run *a, const struct run *b,
			      bool across_kernels, bool force, bool tsv)
{
	struct run_facts fa = facts_of(a), fb = facts_of(b);

	print_facts("A", &fa, tsv);
	print_facts("B", &fb, tsv);
	if (strcmp(fa.host, fb.host))
		printf("%snote: different hosts (%s, %s)\n", tsv ? "# " : "",
		       fa.host, fb.host);
	if (force) {
		if (fa.emulated != fb.emulated || strcmp(fa.cpu, fb.cpu) ||
		    strcmp(fa.kernel, fb.kernel))
			printf("%sWARNING: --force: the runs differ in what "
			       "they ran on (above); the verdict below "
			       "compares machines, not only the change\n",
			       tsv ? "# " : "");
		return NULL;
	}
	if (fa.emulated != fb.emulated)
		return "one run is emulated (TCG) and the other is not: "
		       "emulated timings say nothing about hardware "
		       "(--force to compare anyway)";
	if (strcmp(fa.cpu, fb.cpu))
		return "the runs are on different CPUs (--force to compare "
		       "anyway)";
	if (strcmp(fa.kernel, fb.kernel) && !across_kernels)
		return "the runs are on different kernels: say "
		       "--across-kernels (make compare ACROSS_KERNELS=1) if "
		       "that is the change being measured";
	return NULL;
}

/*
 * What a configuration's samples mean: two sides that sampled it with
 * another size, pass count, guest page size, backing or fault_bench
 * batch (pages per sample) measure different things, even where their
 * configuration keys match.
 */
static const char *const sampling_fields[] = {
	"config.size", "config.iterations", "config.guest_page",
	"config.backing", "config.batch",
};

/* The first field the two groups sampled differently, or NULL. */
static const char *sampling_mismatch(const struct group *a,
				     const struct group *b, char *buf,
				     size_t len)
{
	char ba[64], bb[64];
	unsigned int k;

	for (k = 0; k < ARRAY_SIZE(sampling_fields); k++) {
		const char *f = sampling_fields[k];
		const char *x = field_text(a->doc[0], f, ba, sizeof(ba));
		const char *y = field_text(b->doc[0], f, bb, sizeof(bb));

		if (strcmp(x, y)) {
			snprintf(buf, len, "%s: A sampled %s %s, B %s", a->key,
				 f, x, y);
			return buf;
		}
	}
	return NULL;
}

/*
 * NULL when every configuration both sides ran was sampled alike; else
 * why no verdict (with --force, a warning per mismatch and NULL).
 */
static const char *sampled_alike(const struct groups *ga,
				 const struct groups *gb, bool force, bool tsv)
{
	static char why[640];
	unsigned int i, j;

	for (i = 0; i < ga->n; i++)
		for (j = 0; j < gb->n; j++) {
			char buf[400];
			const char *m;

			if (strcmp(ga->g[i].key, gb->g[j].key))
				continue;
			m = sampling_mismatch(&ga->g[i], &gb->g[j], buf,
					      sizeof(buf));
			if (!m)
				continue;
			if (force) {
				printf("%sWARNING: --force: %s\n",
				       tsv ? "# " : "", m);
				continue;
			}
			snprintf(why, sizeof(why), "%s: their samples measure "
				 "different things (make bench BENCH_BATCH=N "
				 "fixes the batch for both; --force to compare "
				 "anyway)", m);
			return why;
		}
	return NULL;
}

/* Which statistic decides, in words: one, or one per kind. */
static void deciding_label(const struct compare_opts *o, char *buf,
			   size_t len)
{
	if (o->stat && strcmp(o->stat, "untimed"))
		snprintf(buf, len, "%s", o->stat);
	else if (!strcmp(o->stat ? o->stat : DEFAULT_STAT_FAULT,
			 DEFAULT_STAT_CONVERT))
		snprintf(buf, len, "%s", DEFAULT_STAT_CONVERT);
	else
		snprintf(buf, len, "%s (faults), %s (conversions)",
			 o->stat ? o->stat : DEFAULT_STAT_FAULT,
			 DEFAULT_STAT_CONVERT);
}

#define COMPARE_USAGE "usage: results compare A B " \
	"[--stat untimed|mean|p50|p90|p99] " \
	"[--alpha X] [--fail-on-regression PCT] [--across-kernels] " \
	"[--force] [--tsv]"

static void describe_side(const char *name, const char *path,
			  const struct groups *gs, bool tsv)
{
	unsigned int lo, hi;

	runs_range(gs, &lo, &hi);
	printf("%s%s = %s (%u configuration(s), ", tsv ? "# " : "", name,
	       path, gs->n);
	if (lo == hi)
		printf("%u run(s) each", lo);
	else
		printf("%u..%u runs each", lo, hi);
	if (gs->interrupted)
		printf("; %u interrupted run(s) left out", gs->interrupted);
	printf(")\n");
}

static int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = { .alpha = 0.05, .fail_pct = -1 };
	char deciding[64];
	struct tally t = { 0 };
	struct groups ga, gb;
	struct run *a, *b;
	unsigned int i, j, only_a = 0, nonone;
	int argi;
	bool across_kernels = false, force = false;
	const char *why;

	if (argc < 2 || argv[0][0] == '-' || argv[1][0] == '-')
		die("%s%s", COMPARE_USAGE, "");
	for (argi = 2; argi < argc; argi++) {
		const char *opt = argv[argi];
		char *end;

		if (!strcmp(opt, "--across-kernels")) {
			across_kernels = true;
			continue;
		}
		if (!strcmp(opt, "--force")) {
			force = true;
			continue;
		}
		if (!strcmp(opt, "--tsv")) {
			o.tsv = true;
			continue;
		}
		if (strcmp(opt, "--alpha") && strcmp(opt, "--stat") &&
		    strcmp(opt, "--fail-on-regression"))
			die("unknown option '%s' (%s)", opt, COMPARE_USAGE);
		if (argi + 1 >= argc)
			die("%s needs a value%s", opt, "");
		argi++;
		if (!strcmp(opt, "--alpha")) {
			o.alpha = strtod(argv[argi], &end);
			if (end == argv[argi] || *end || !(o.alpha > 0) ||
			    o.alpha >= 1)
				die("--alpha: '%s' is not in (0, 1)%s",
				    argv[argi], "");
		} else if (!strcmp(opt, "--stat")) {
			for (i = 0; i < ARRAY_SIZE(stat_defs); i++)
				if (!strcmp(argv[argi], stat_defs[i].name))
					o.stat = stat_defs[i].name;
			if (!o.stat)
				die("--stat: '%s' is not untimed, mean, p50, p90 "
				    "or p99%s", argv[argi], "");
		} else {
			o.fail_pct = strtod(argv[argi], &end);
			if (end == argv[argi] || *end || !(o.fail_pct >= 0) ||
			    isinf(o.fail_pct))
				die("--fail-on-regression: '%s' is not a "
				    "percentage%s", argv[argi], "");
		}
	}
	force_mixed = force;
	deciding_label(&o, deciding, sizeof(deciding));
	a = new_run(argv[0]);
	b = new_run(argv[1]);
	group_run(a, &ga, true);
	group_run(b, &gb, true);
	describe_side("A", argv[0], &ga, o.tsv);
	describe_side("B", argv[1], &gb, o.tsv);
	why = comparable(a, b, across_kernels, force, o.tsv);
	if (!why)
		why = sampled_alike(&ga, &gb, force, o.tsv);
	if (why) {
		printf("NO VERDICT: %s\n", why);
		free_groups(&ga);
		free_groups(&gb);
		free_run(a);
		free_run(b);
		return 2;
	}
	if (o.tsv)
		printf("# configuration\tmetric\tstat\tdecides\truns_a\truns_b"
		       "\ta_mean_of_runs\tb_mean_of_runs\tchange_pct\tlo_pct"
		       "\thi_pct\tnoise_a_pct\tcov_a_pct\tcov_b_pct\tverdict"
		       "\n");
	else
		printf("Verdict on the per-run %s ('*'): \"slower\"/\"faster\" "
		       "when the %g%% interval of the change (Welch on the "
		       "runs' values, Welch-Satterthwaite df) excludes 0 and "
		       "|change| exceeds A's noise, the relative sd of A's "
		       "runs; changes are of the mean over runs, as %% of "
		       "A's\n", deciding, 100 * (1 - o.alpha));
	for (i = 0; i < ga.n; i++) {
		for (j = 0; j < gb.n; j++)
			if (!strcmp(ga.g[i].key, gb.g[j].key))
				break;
		if (j == gb.n) {
			only_a++;
			continue;
		}
		if (!strcmp(ga.g[i].tool, "fault_bench"))
			compare_fault(&ga.g[i], &gb.g[j], &o, &t);
		else
			compare_convert(&ga.g[i], &gb.g[j], &o, &t);
	}
	free_groups(&ga);
	free_groups(&gb);
	free_run(a);
	free_run(b);
	if (!t.compared)
		die("no configuration of %s matches one of %s", argv[0],
		    argv[1]);
	nonone = t.verdict[VERDICT_NONE_ONE_RUN] +
		 t.verdict[VERDICT_NONE_CI_SPANS_ZERO] +
		 t.verdict[VERDICT_NONE_BELOW_NOISE];
	printf("%sverdicts on the per-run %s (alpha %g): %u slower, %u "
	       "faster, %u no verdict (%u interval spans 0, %u below A's "
	       "noise, %u one run)%s\n", o.tsv ? "# " : "\n", deciding,
	       o.alpha, t.verdict[VERDICT_SLOWER], t.verdict[VERDICT_FASTER],
	       nonone, t.verdict[VERDICT_NONE_CI_SPANS_ZERO],
	       t.verdict[VERDICT_NONE_BELOW_NOISE],
	       t.verdict[VERDICT_NONE_ONE_RUN],
	       only_a ? "; configurations only in A left out" : "");
	if (t.regressed) {
		printf("%sREGRESSION: %u slower verdict(s) with the interval's "
		       "lower bound above %.2f%%\n", o.tsv ? "# " : "",
		       t.regressed, o.fail_pct);
		return 1;
	}
	return 0;
}

/*
 * The smallest change compare can call, per number of runs a side, for
 * a per-run statistic with relative sd SD_PCT (lib/results/samples.c
 * min_detectable_change_pct()).
 */
#define SIM_POWER	0.9
#define SIM_TRIALS	4000

static int cmd_mdc(int argc, char **argv)
{
	double sd, alpha = 0.05, ci, noise;
	unsigned int n;
	char *end;

	if (argc < 1 || argc > 2)
		die("usage: results mdc SD_PCT [ALPHA]%s%s", "", "");
	sd = strtod(argv[0], &end);
	if (end == argv[0] || *end || !(sd >= 0) || isinf(sd))
		die("mdc: '%s' is not a percentage%s", argv[0], "");
	if (argc == 2) {
		alpha = strtod(argv[1], &end);
		if (end == argv[1] || *end || !(alpha > 0) || alpha >= 1)
			die("mdc: alpha '%s' is not in (0, 1)%s", argv[1], "");
	}
	printf("# smallest change a verdict can call with per-run sd %.3f%%,"
	       " alpha %g:\n# max(t(1 - alpha/2, 2(N - 1)) * sqrt(2/N) * sd, "
	       "c4(N) * sd), c4(N) = expected sample sd of N normal values "
	       "/ sd (called about half the time);\n# reliable: the smallest "
	       "slowdown called in %.0f%% of %u simulated pairs of normal "
	       "runs; false_alarm: simulated A/A pairs with a verdict\n"
	       "# runs ci_half_width_pct expected_noise_pct detectable_pct "
	       "reliable_pct false_alarm_pct\n", sd, alpha, 100 * SIM_POWER,
	       SIM_TRIALS);
	for (n = 2; n <= 10; n++) {
		double m = min_detectable_change_pct(sd, n, alpha, &ci, &noise);

		printf("%u %.3f %.3f %.3f %.3f %.2f\n", n, ci, noise, m,
		       reliable_change_pct(sd, n, alpha, SIM_POWER,
					   SIM_TRIALS),
		       100 * simulated_call_rate(sd, n, alpha, 0, SIM_TRIALS,
						 true));
	}
	return 0;
}

/*
 * Append {"perf_stat": {"events": {name: count}}} to a result document.
 * Our writer ends every document with "}\n", so the member is inserted
 * before that brace; the result is parsed again before it replaces the
 * file.
 */
static int cmd_attach_perf(const char *json_path, const char *perf_path)
{
	char err[256], line[512], tmp[1024], *text;
	struct jnode *root = json_parse_file(json_path, err, sizeof(err));
	FILE *in, *out;
	long size, end;
	bool first = true;

	if (!root)
		die("%s: malformed result file: %s", json_path, err);
	json_free(root);
	in = fopen(json_path, "re");
	if (!in)
		die("%s: %s", json_path, strerror(errno));
	fseek(in, 0, SEEK_END);
	size = ftell(in);
	rewind(in);
	text = malloc(size + 1);
	TEST_ASSERT(text, "malloc");
	if (fread(text, 1, size, in) != (size_t)size)
		die("%s: cannot read%s", json_path, "");
	fclose(in);
	text[size] = '\0';
	for (end = size - 1; end >= 0 && text[end] != '}'; end--)
		;
	if (end <= 0)
		die("%s: not an object%s", json_path, "");
	while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == ' '))
		end--;
	in = fopen(perf_path, "re");
	if (!in)
		die("%s: %s", perf_path, strerror(errno));
	snprintf(tmp, sizeof(tmp), "%s.tmp", json_path);
	out = fopen(tmp, "we");
	if (!out)
		die("%s: %s", tmp, strerror(errno));
	fwrite(text, 1, end, out);
	fprintf(out, ",\n  \"perf_stat\": {\n    \"events\": {");
	while (fgets(line, sizeof(line), in)) {
		char *count = strtok(line, ","), *unit, *event;

		/* "count,unit,event,run time,percent,..."; skip comments. */
		if (!count || line[0] == '#' || line[0] == '\n')
			continue;
		unit = strtok(NULL, ",");
		event = unit && strchr(unit, ':') ? unit : strtok(NULL, ",");
		if (!event || !strchr(event, ':'))
			continue;
		fprintf(out, "%s\n      \"%s\": ", first ? "" : ",", event);
		if (count[0] == '<')	/* <not counted>, <not supported> */
			fprintf(out, "null");
		else
			fprintf(out, "%.0f", strtod(count, NULL));
		first = false;
	}
	fprintf(out, "\n    }\n  }\n}\n");
	fclose(in);
	fclose(out);
	free(text);
	root = json_parse_file(tmp, err, sizeof(err));
	if (!root) {
		unlink(tmp);
		die("attaching perf counts broke the document: %s%s", err, "");
	}
	json_free(root);
	if (rename(tmp, json_path))
		die("%s: %s", json_path, strerror(errno));
	return 0;
}

#define USAGE "usage: results summary DIR | plotdata DIR\n" \
	"       results compare A B [--stat mean|p50|p99] [--alpha X]\n" \
	"                          [--fail-on-regression PCT] " \
	"[--across-kernels] [--force] [--tsv]\n" \
	"       results mdc SD_PCT [ALPHA]\n" \
	"       results attach-perf RESULT.json PERF.csv\n" \
	"compare decides on runs (make bench RUNS=N): per configuration, " \
	"the change of\nthe per-run mean, p50 and p99 with its 1 - alpha " \
	"interval (Welch on runs) and\nA's noise, the relative sd of its " \
	"runs; \"slower\"/\"faster\" (--stat, default p50)\nonly when " \
	"the interval excludes 0 and the change exceeds the noise.\n" \
	"--fail-on-regression PCT: exit 1 when a slower verdict's " \
	"interval lower bound\nexceeds PCT.\n"

int main(int argc, char **argv)
{
	if ((argc == 3 || (argc == 4 && !strcmp(argv[3], "--force"))) &&
	    (!strcmp(argv[1], "summary") || !strcmp(argv[1], "plotdata"))) {
		force_mixed = argc == 4;
		return !strcmp(argv[1], "summary") ? cmd_summary(argv[2]) :
		       cmd_plotdata(argv[2]);
	}
	if (argc >= 2 && !strcmp(argv[1], "compare"))
		return cmd_compare(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "mdc"))
		return cmd_mdc(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "attach-perf"))
		return cmd_attach_perf(argv[2], argv[3]);
	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		printf("%s", USAGE);
		return 0;
	}
	fprintf(stderr, "%s", USAGE);
	return 2;
}
