// SPDX-License-Identifier: GPL-2.0
/*
 * Documents: every field a subcommand reads is checked when the document
 * is loaded; the runs of one directory must come from one kernel, CPU and
 * emulation.  What a run was measured on, for titles and comparisons.
 */

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results.h"

/* Version order: NAME-run2.json before NAME-run10.json. */
static int cmp_doc(const void *a, const void *b)
{
	return strverscmp(((const struct doc *)a)->path,
			  ((const struct doc *)b)->path);
}


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
const char *field_text(const struct jnode *root, const char *field,
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
void check_same(const struct doc *a, const struct doc *b,
		       const char *field, const char *what)
{
	char ba[64], bb[64];
	const char *x = field_text(a->root, field, ba, sizeof(ba));
	const char *y = field_text(b->root, field, bb, sizeof(bb));

	if (!strcmp(x, y) || export_mixed)
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

void free_run(struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++)
		json_free(r->docs[i].root);
	free(r->docs);
	free(r);
}

struct run *new_run(const char *path)
{
	struct run *r = calloc(1, sizeof(*r));

	TEST_ASSERT(r, "calloc");
	load_run(r, path);
	check_run_facts(r);
	return r;
}


struct run_facts facts_of(const struct run *r)
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
void plot_title(const struct run *r, char *buf, size_t len)
{
	struct run_facts f = facts_of(r);
	bool named = strcmp(f.host, "(none)") && strcmp(f.host, "?");

	snprintf(buf, len, "kernel %s, %s%s%s%s", f.kernel, f.cpu,
		 named ? ", host " : "", named ? f.host : "",
		 f.emulated ? "; emulated (TCG): shape only, not timings" : "");
}

bool flag(const struct jnode *n, const char *path)
{
	const struct jnode *f = json_get(n, path);

	return f && f->b;
}
