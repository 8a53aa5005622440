// SPDX-License-Identifier: GPL-2.0
/*
 * results export DIR [--format lines|json-lines]: every figure of a
 * result directory, one metric per line, for dashboards that ingest flat
 * records (LKP-style stats, KernelCI-style metrics).  Each line names the
 * metric (stable names, docs/results-schema.md "Export"), its value and
 * unit, the configuration (as compare groups runs), the run index, and
 * the run's provenance (kernel, CPU, host, suite revision, emulated, date,
 * file).  A directory with a mutation run (mutation.json) exports its
 * score too.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "results.h"

#define EXPORT_VERSION	1

struct metric {
	const char *name;	/* exported name after the tool's prefix */
	const char *path;	/* in the document (or the conversion row) */
	const char *unit;
};

static const struct metric fault_metrics[] = {
	{ "untimed_ns_per_page", "results.untimed_ns_per_page", "ns" },
	{ "latency.mean", "results.latency_ns.mean", "ns" },
	{ "latency.p50", "results.latency_ns.p50", "ns" },
	{ "latency.p90", "results.latency_ns.p90", "ns" },
	{ "latency.p99", "results.latency_ns.p99", "ns" },
	{ "latency.max", "results.latency_ns.max", "ns" },
	{ "resident_floor.p50", "results.resident_floor_ns.p50", "ns" },
	{ "timing_overhead.p50", "results.timing_overhead_ns.p50", "ns" },
	{ "pages_per_s", "results.pages_per_s", "pages/s" },
	{ "wall_s", "results.wall_s", "s" },
	{ "config.batch", "config.batch", "pages" },
	{ "config.size", "config.size", "bytes" },
	{ "config.iterations", "config.iterations", "passes" },
};

static const struct metric convert_doc_metrics[] = {
	{ "exit_round_trip.p50", "results.exit_round_trip_ns.p50", "ns" },
};

static const struct metric convert_row_metrics[] = {
	{ "host.mean", "host_ns.mean", "ns" },
	{ "host.p50", "host_ns.p50", "ns" },
	{ "host.p99", "host_ns.p99", "ns" },
	{ "guest_round_trip.p50", "guest_round_trip_ns.p50", "ns" },
	{ "guest_round_trip.p99", "guest_round_trip_ns.p99", "ns" },
	{ "host_gib_per_s", "host_gib_per_s", "GiB/s" },
	{ "x_zeroing", "x_zeroing", "ratio" },
	{ "x_exit", "x_exit", "ratio" },
};

struct prov {
	const char *kernel, *cpu, *host, *rev, *date, *file;
	bool emulated;
};

static bool json_lines;

/* s for the tab-separated form: no tab or newline inside a field. */
static void put_field(const char *s)
{
	for (; *s; s++)
		putchar(*s == '\t' || *s == '\n' ? ' ' : *s);
}

/* The text fields after metric, value, unit and run, in output order. */
static const char *const text_names[] = {
	"configuration", "kernel", "cpu", "host", "suite_revision",
	"emulated", "date", "file",
};

static void emit(const char *metric, double v, const char *unit,
		 unsigned int run, const char *config, const struct prov *p)
{
	const char *text[] = {
		config, p->kernel, p->cpu, p->host, p->rev,
		p->emulated ? "1" : "0", p->date, p->file,
	};
	struct json j;
	unsigned int k;

	if (!isfinite(v))
		return;
	if (!json_lines) {
		printf("%s\t%.10g\t%s\t%u", metric, v, unit, run);
		for (k = 0; k < ARRAY_SIZE(text); k++) {
			putchar('\t');
			put_field(text[k]);
		}
		putchar('\n');
		return;
	}
	json_init_compact(&j, stdout);
	json_obj_begin(&j, NULL);
	json_u64(&j, "export", EXPORT_VERSION);
	json_str(&j, "metric", metric);
	json_double(&j, "value", v);
	json_str(&j, "unit", unit);
	json_u64(&j, "run", run);
	for (k = 0; k < ARRAY_SIZE(text); k++) {
		if (!strcmp(text_names[k], "emulated"))
			json_bool(&j, "emulated", p->emulated);
		else
			json_str(&j, text_names[k], text[k]);
	}
	json_obj_end(&j);
}

static struct prov prov_of(const struct doc *d)
{
	const struct jnode *h = json_get(d->root, "host");
	const struct jnode *e = json_get(d->root, "emulated");
	const char *base = strrchr(d->path, '/');

	return (struct prov){
		.kernel = json_str_at(h, "kernel_release", "?"),
		.cpu = json_str_at(h, "cpu_model", "?"),
		.host = json_str_at(h, "hostname", "?"),
		.rev = json_str_at(d->root, "suite_revision", "?"),
		.date = json_str_at(d->root, "date", "?"),
		.file = base ? base + 1 : d->path,
		.emulated = e && e->b,
	};
}

static void emit_table(const char *prefix, const struct metric *m,
		       unsigned int n, const struct jnode *node,
		       unsigned int run, const char *config,
		       const struct prov *p)
{
	char name[160];
	unsigned int k;

	for (k = 0; k < n; k++) {
		snprintf(name, sizeof(name), "%s.%s", prefix, m[k].name);
		emit(name, json_num(node, m[k].path, NAN), m[k].unit, run,
		     config, p);
	}
}

/* Every numeric member of the object at path, as prefix.NAME counts. */
static void emit_counts(const char *prefix, const struct jnode *root,
			const char *path, unsigned int run,
			const char *config, const struct prov *p)
{
	const struct jnode *o = json_get(root, path), *c;
	char name[256];

	if (!o || o->type != J_OBJ)
		return;
	for (c = o->child; c; c = c->next) {
		if (c->type != J_NUM || !c->key)
			continue;
		snprintf(name, sizeof(name), "%s.%s", prefix, c->key);
		emit(name, c->num, "count", run, config, p);
	}
}

static void export_fault(const struct run *r, const struct group *g)
{
	unsigned int i;

	for (i = 0; i < g->n; i++) {
		const struct doc *d = &r->docs[g->idx[i]];
		struct prov p = prov_of(d);

		if (json_get(d->root, "results.skipped"))
			continue;
		emit_table("fault", fault_metrics, ARRAY_SIZE(fault_metrics),
			   d->root, i + 1, g->key, &p);
		emit_counts("fault.kvm_vcpu_stats", d->root,
			    "results.kvm_vcpu_stats", i + 1, g->key, &p);
		emit_counts("perf", d->root, "perf_stat.events", i + 1,
			    g->key, &p);
	}
}

static void export_convert(const struct run *r, const struct group *g)
{
	struct rows rs;
	unsigned int i, j;
	char key[400];

	rows_of(g, &rs);
	for (i = 0; i < g->n; i++) {
		const struct doc *d = &r->docs[g->idx[i]];
		struct prov p = prov_of(d);

		emit_table("convert", convert_doc_metrics,
			   ARRAY_SIZE(convert_doc_metrics), d->root, i + 1,
			   g->key, &p);
		emit_counts("perf", d->root, "perf_stat.events", i + 1,
			    g->key, &p);
		for (j = 0; j < rs.nkeys; j++) {
			const struct jnode *c = rs.row[j * g->n + i];

			if (!c || json_get(c, "skipped"))
				continue;
			snprintf(key, sizeof(key), "%s %s", g->key, rs.key[j]);
			emit_table("convert", convert_row_metrics,
				   ARRAY_SIZE(convert_row_metrics), c, i + 1,
				   key, &p);
		}
	}
	free_rows(&rs);
}

/* DIR/mutation.json (scripts/mutate): its counts and score. */
static bool export_mutation(const char *dir)
{
	static const struct metric m[] = {
		{ "mutants", "mutants", "count" },
		{ "killed", "killed", "count" },
		{ "survived", "survived", "count" },
	};
	char path[1024], err[256];
	struct jnode *root;
	struct prov p;
	unsigned int k;

	snprintf(path, sizeof(path), "%s/mutation.json", dir);
	if (access(path, F_OK))
		return false;
	root = json_parse_file(path, err, sizeof(err));
	if (!root)
		die("%s: malformed mutation result: %s", path, err);
	if (strcmp(json_str_at(root, "tool", ""), "mutate"))
		die("%s: not a mutation result (\"tool\" is not \"mutate\")%s",
		    path, "");
	p = (struct prov){
		.kernel = json_str_at(root, "kernel", "?"),
		.cpu = "?", .host = "?",
		.rev = json_str_at(root, "suite_revision", "?"),
		.date = json_str_at(root, "date", "?"),
		.file = "mutation.json",
	};
	for (k = 0; k < ARRAY_SIZE(m); k++) {
		char name[64];

		snprintf(name, sizeof(name), "mutation.%s", m[k].name);
		emit(name, json_num(root, m[k].path, NAN), m[k].unit, 1,
		     json_str_at(root, "tree", "?"), &p);
	}
	/* Written as a string ("100.0") by scripts/mutate. */
	emit("mutation.score_pct", strtod(json_str_at(root, "score_pct", "nan"),
					  NULL), "percent", 1,
	     json_str_at(root, "tree", "?"), &p);
	json_free(root);
	return true;
}

#define EXPORT_USAGE "usage: results export DIR [--format lines|json-lines]"

int cmd_export(int argc, char **argv)
{
	struct groups gs;
	struct run *r;
	struct stat st;
	unsigned int k;

	if (argc != 1 && argc != 3)
		die("%s%s", EXPORT_USAGE, "");
	if (argc == 3) {
		if (strcmp(argv[1], "--format"))
			die("unknown option '%s' (%s)", argv[1], EXPORT_USAGE);
		if (!strcmp(argv[2], "json-lines"))
			json_lines = true;
		else if (strcmp(argv[2], "lines"))
			die("--format: '%s' is not lines or json-lines (%s)",
			    argv[2], EXPORT_USAGE);
	}
	if (stat(argv[0], &st) || !S_ISDIR(st.st_mode))
		die("%s: %s", argv[0], errno ? strerror(errno) :
		    "not a directory");
	if (!json_lines) {
		printf("# gmemsuite export %d: metric\tvalue\tunit\trun",
		       EXPORT_VERSION);
		for (k = 0; k < ARRAY_SIZE(text_names); k++)
			printf("\t%s", text_names[k]);
		putchar('\n');
	}
	if (export_mutation(argv[0]))
		return 0;
	export_mixed = true;
	r = new_run(argv[0]);
	group_run(r, &gs, true);
	for (k = 0; k < gs.n; k++) {
		if (!strcmp(gs.g[k].tool, "fault_bench"))
			export_fault(r, &gs.g[k]);
		else
			export_convert(r, &gs.g[k]);
	}
	free_groups(&gs);
	free_run(r);
	return 0;
}
