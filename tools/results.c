// SPDX-License-Identifier: GPL-2.0
/*
 * results: read benchmark JSON back.
 *
 *   results summary DIR            write DIR/summary.md (and print it)
 *   results plotdata DIR           write DIR/plots/NAME.dat for gnuplot
 *   results compare A B [--alpha X] [--fail-on-regression PCT]
 *                       [--across-kernels] [--force]
 *   results attach-perf RESULT.json PERF.csv
 *                                  add `perf stat -x,` counts to a result
 *
 * compare matches configurations of two runs (directories or files) and
 * prints, per metric, both runs' mean, p50, p99, stddev and CoV, the
 * change and Welch's t-test p-value; '*' marks changes significant at
 * alpha (0.05).  --fail-on-regression PCT exits 1 when a significant
 * slowdown exceeds PCT percent.  Both runs' host, kernel, CPU, suite
 * revision and emulated flag come first; no verdict (exit 2) when one
 * run is emulated and the other is not, or the CPUs differ, unless
 * --force, or the kernels differ, unless --across-kernels (or --force).
 * Malformed or mismatched input: a one-line error and exit 2.
 */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonread.h"
#include "samples.h"
#include "test_util.h"

#define MAX_DOCS 256

struct doc {
	char path[512];
	struct jnode *root;
	const char *tool;
};

struct run {
	struct doc docs[MAX_DOCS];
	unsigned int n;
};

static const char *prog = "results";

static void __noreturn die(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	exit(2);
}

static int cmp_doc(const void *a, const void *b)
{
	return strcmp(((const struct doc *)a)->path,
		      ((const struct doc *)b)->path);
}

static void load_file(struct run *r, const char *path)
{
	char err[256];
	struct doc *d;

	if (r->n == MAX_DOCS)
		die("%s: more than 256 result files%s", path, "");
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
	r->n++;
}

/*
 * A directory's *.json benchmark files; host*.json are host reports
 * (host.json, or host-<configuration>.json when a run spans kernels).
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
		    !strncmp(de->d_name, "host", 4))
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
}

/* "anon x1 write seq 4K" style key of a fault_bench configuration. */
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

static void fault_key(const struct jnode *root, char *buf, size_t len)
{
	double node = json_num(root, "config.node", -1);
	char where[48] = "";

	/* --node runs: the node, and local/remote to vCPU 0 when pinned. */
	if (node >= 0)
		snprintf(where, sizeof(where), " node %.0f%s%s", node,
			 json_get(root, "results.placement.memory") ? " " : "",
			 json_str_at(root, "results.placement.memory", ""));
	snprintf(buf, len, "%s x%.0f %s %s %s%s%s",
		 json_str_at(root, "config.backing", "?"),
		 json_num(root, "config.vcpus", 0),
		 json_str_at(root, "config.access", "?"),
		 json_str_at(root, "config.pattern", "?"),
		 json_num(root, "config.guest_page", 0) >= SZ_2M ?
		 (json_num(root, "config.guest_page", 0) >= SZ_1G ? "1G" :
		  "2M") : "4K",
		 json_get(root, "config.populate") &&
		 json_get(root, "config.populate")->b ? " resident" : "",
		 where);
}

/* ---- summary ------------------------------------------------------------ */

static void summary_fault(FILE *o, const struct run *r)
{
	unsigned int i;
	bool head = false;

	for (i = 0; i < r->n; i++) {
		const struct jnode *d = r->docs[i].root;
		char key[128];

		if (strcmp(r->docs[i].tool, "fault_bench"))
			continue;
		if (!head) {
			fprintf(o, "## Guest page faults (fault_bench)\n\n"
				"| configuration | p50 us | p90 us | p99 us | "
				"max us | untimed us/page | resident floor us "
				"| timing floor us | pages/s |\n"
				"|---|---|---|---|---|---|---|---|---|\n");
			head = true;
		}
		fault_key(d, key, sizeof(key));
		fprintf(o, "| %s | %.2f | %.2f | %.2f | %.1f | %.2f | %.2f | "
			"%.2f | %.0f |\n", key,
			json_num(d, "results.latency_ns.p50", NAN) / 1e3,
			json_num(d, "results.latency_ns.p90", NAN) / 1e3,
			json_num(d, "results.latency_ns.p99", NAN) / 1e3,
			json_num(d, "results.latency_ns.max", NAN) / 1e3,
			json_num(d, "results.untimed_ns_per_page", NAN) / 1e3,
			json_num(d, "results.resident_floor_ns.p50", NAN) / 1e3,
			json_num(d, "results.timing_overhead_ns.p50", NAN) /
			1e3, json_num(d, "results.pages_per_s", NAN));
	}
	if (head)
		fprintf(o, "\nA page's sample is the whole loop iteration "
			"(access, lfence, rdtsc, store); the floors are the "
			"same loop over resident memory and with no access. "
			"\"untimed\" is the same first touch timed only as a "
			"whole, one such pass before each timed pass.\n\n");
}

static void summary_convert(FILE *o, const struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		const struct jnode *d = r->docs[i].root, *c, *s;

		if (strcmp(r->docs[i].tool, "convert_bench"))
			continue;
		fprintf(o, "## Conversions (convert_bench)\n\n");
		fprintf(o, "Floor: bare exit round trip p50 %.2f us.\n\n",
			json_num(d, "results.exit_round_trip_ns.p50", NAN) /
			1e3);
		s = json_get(d, "results.skipped");
		for (c = s ? s->child : NULL; c; c = c->next)
			fprintf(o, "- %s: skipped: %s\n", c->key, c->str);
		if (json_get(d, "results.timed"))
			fprintf(o, "\nTimed: %s.\n",
				json_str_at(d, "results.timed", "?"));
		c = json_get(d, "results.conversions");
		if (c && c->child)
			fprintf(o, "\n| path | size | to | state | host p50 us "
				"| host p99 us | x zeroing | guest round trip "
				"p50 us | x exit |\n"
				"|---|---|---|---|---|---|---|---|---|\n");
		for (c = c ? c->child : NULL; c; c = c->next) {
			fprintf(o, "| %s | %.0fK | %s | %s | ",
				json_str_at(c, "path", "?"),
				json_num(c, "size", 0) / 1024,
				json_str_at(c, "direction", "?"),
				json_get(c, "populated") &&
				json_get(c, "populated")->b ? "populated" :
				"untouched");
			if (json_get(c, "skipped")) {
				fprintf(o, "skipped: %s | | | | |\n",
					json_str_at(c, "skipped", "?"));
				continue;
			}
			/* Host-only conversions are not timed on snp/tdx. */
			if (json_get(c, "host_ns"))
				fprintf(o, "%.1f | %.1f | %.2f | ",
					json_num(c, "host_ns.p50", NAN) / 1e3,
					json_num(c, "host_ns.p99", NAN) / 1e3,
					json_num(c, "x_zeroing", NAN));
			else
				fprintf(o, "- | - | - | ");
			fprintf(o, "%.1f | %.1f |\n",
				json_num(c, "guest_round_trip_ns.p50", NAN) /
				1e3, json_num(c, "x_exit", NAN));
		}
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

static int cmd_summary(const char *dir)
{
	struct run *r = calloc(1, sizeof(*r));
	char path[1024];
	const struct jnode *h;
	FILE *o;

	TEST_ASSERT(r, "calloc");
	load_run(r, dir);
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	o = fopen(path, "we");
	if (!o)
		die("%s: %s", path, strerror(errno));
	h = json_get(r->docs[0].root, "host");
	plot_title(r, path, sizeof(path));
	fprintf(o, "# gmemsuite results\n\n%s; %.0f CPUs; suite %s; %s\n\n",
		path, json_num(h, "nr_cpus", 0),
		json_str_at(r->docs[0].root, "suite_revision", "?"),
		json_str_at(r->docs[0].root, "date", "?"));
	summary_fault(o, r);
	summary_convert(o, r);
	summary_skipped(o, dir);
	fclose(o);
	free_run(r);
	free(r);
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

static int cmd_plotdata(const char *dir)
{
	struct run *r = calloc(1, sizeof(*r));
	FILE *cdf = NULL, *vc, *conv;
	char path[1024];
	unsigned int i;

	TEST_ASSERT(r, "calloc");
	load_run(r, dir);
	snprintf(path, sizeof(path), "%s/plots", dir);
	mkdir(path, 0755);
	{
		FILE *t = dat(dir, "title.txt");

		plot_title(r, path, sizeof(path));
		fprintf(t, "%s\n", path);
		fclose(t);
	}
	vc = dat(dir, "fault_vs_vcpus.dat");
	fprintf(vc, "# backing vcpus p50_us p99_us\n");
	conv = dat(dir, "convert_cost.dat");
	fprintf(conv, "# path direction state size_bytes host_p50_us "
		"memset_p50_us\n");
	for (i = 0; i < r->n; i++) {
		const struct jnode *d = r->docs[i].root, *b, *c;
		char key[128], name[160];
		double total = 0, run = 0;

		if (!strcmp(r->docs[i].tool, "fault_bench")) {
			fault_key(d, key, sizeof(key));
			fprintf(vc, "%s %.0f %.3f %.3f\n",
				json_str_at(d, "config.backing", "?"),
				json_num(d, "config.vcpus", 0),
				json_num(d, "results.latency_ns.p50", 0) / 1e3,
				json_num(d, "results.latency_ns.p99", 0) / 1e3);
			/* CDF from the log histogram. */
			b = json_get(d, "results.histogram.buckets");
			for (c = b ? b->child : NULL; c; c = c->next)
				total += json_num(c, "1", 0);
			/* --node runs: one file per node (local, remote). */
			snprintf(name, sizeof(name), "cdf_%s_x%.0f%s.dat",
				 json_str_at(d, "config.backing", "x"),
				 json_num(d, "config.vcpus", 0),
				 strstr(key, " node ") ?
				 strstr(key, " node ") : "");
			for (char *q = name; *q; q++)
				if (*q == ' ')
					*q = '_';
			cdf = dat(dir, name);
			fprintf(cdf, "# %s\n# latency_us cumulative_fraction\n",
				key);
			/* Start the steps at 0 below the first bucket. */
			if (b && b->child)
				fprintf(cdf, "%.4f 0\n",
					json_num(b->child, "0", 0) / 1e3);
			for (c = b ? b->child : NULL; c; c = c->next) {
				run += json_num(c, "1", 0);
				fprintf(cdf, "%.4f %.6f\n",
					json_num(c, "0", 0) / 1e3,
					total ? run / total : 0);
			}
			fclose(cdf);
		} else if (!strcmp(r->docs[i].tool, "convert_bench")) {
			c = json_get(d, "results.conversions");
			for (c = c ? c->child : NULL; c; c = c->next) {
				const struct jnode *f = json_get(d,
							"results.floor");
				double floor_us = 0;

				for (f = f ? f->child : NULL; f; f = f->next)
					if (json_num(f, "size", -1) ==
					    json_num(c, "size", -2))
						floor_us = json_num(f,
							"memset_ns.p50", 0) /
							1e3;
				fprintf(conv, "%s %s %s %.0f %.3f %.3f\n",
					json_str_at(c, "path", "?"),
					json_str_at(c, "direction", "?"),
					json_get(c, "populated")->b ?
					"populated" : "untouched",
					json_num(c, "size", 0),
					json_num(c, "host_ns.p50", 0) / 1e3,
					floor_us);
			}
			b = json_get(d, "results.split");
			if (b && json_get(b, "before")) {
				FILE *s = dat(dir, "split.dat");
				const char *st[] = { "before",
					"after_to_private",
					"after_back_to_shared" };
				unsigned int k;

				fprintf(s, "# step reaccess_us pages_4k "
					"pages_2m\n");
				for (k = 0; k < 3; k++) {
					snprintf(key, sizeof(key), "%s", st[k]);
					fprintf(s, "%s %.4f %.0f %.0f\n", st[k],
						json_num(b, strcat(key,
						".reaccess_us_per_page"), 0),
						json_num(json_get(b, st[k]),
							 "pages_4k", 0),
						json_num(json_get(b, st[k]),
							 "pages_2m", 0));
				}
				fclose(s);
			}
		}
	}
	fclose(vc);
	fclose(conv);
	free_run(r);
	free(r);
	return 0;
}

/* ---- compare ------------------------------------------------------------ */

struct metric {
	const char *label;
	const char *base;	/* stats object path, with mean/stddev/n */
	bool lower_is_better;
};

static void compare_stats(const char *key, const struct metric *m,
			  const struct jnode *a, const struct jnode *b,
			  double alpha, double fail_pct, int *regressed)
{
	char p[160];
	double ma, sa, na, mb, sb, nb, p50a, p50b, p99a, p99b, pv, chg;
	bool sig;

#define GETS(v, d, f) do { snprintf(p, sizeof(p), "%s.%s", m->base, f); \
		v = json_num(d, p, NAN); } while (0)
	GETS(ma, a, "mean"); GETS(sa, a, "stddev"); GETS(na, a, "n");
	GETS(mb, b, "mean"); GETS(sb, b, "stddev"); GETS(nb, b, "n");
	GETS(p50a, a, "p50"); GETS(p50b, b, "p50");
	GETS(p99a, a, "p99"); GETS(p99b, b, "p99");
#undef GETS
	if (isnan(ma) || isnan(mb) || na < 2 || nb < 2)
		return;
	pv = welch_p(ma, sa, na, mb, sb, nb, NULL, NULL);
	chg = ma ? 100 * (mb - ma) / ma : 0;
	sig = pv < alpha;
	printf("%-34s %-14s %10.3f %10.3f %+8.2f%% %9.2g%s | p50 %.3f -> %.3f"
	       " | p99 %.3f -> %.3f | sd %.3f -> %.3f | CoV %.1f%% -> %.1f%%"
	       "\n", key, m->label, ma / 1e3, mb / 1e3, chg, pv,
	       sig ? " *" : "  ", p50a / 1e3, p50b / 1e3, p99a / 1e3,
	       p99b / 1e3, sa / 1e3, sb / 1e3, ma ? 100 * sa / ma : 0,
	       mb ? 100 * sb / mb : 0);
	if (sig && fail_pct >= 0 && m->lower_is_better && chg > fail_pct)
		*regressed = 1;
}

static void print_facts(const char *name, const struct run_facts *f)
{
	printf("%s: host %s, kernel %s, CPU %s, suite %s%s\n", name, f->host,
	       f->kernel, f->cpu, f->rev, f->emulated ?
	       ", EMULATED (TCG): functional timings only" : "");
}

/* NULL when a verdict means something, else why not. */
static const char *comparable(const struct run *a, const struct run *b,
			      bool across_kernels, bool force)
{
	struct run_facts fa = facts_of(a), fb = facts_of(b);

	print_facts("A", &fa);
	print_facts("B", &fb);
	if (strcmp(fa.host, fb.host))
		printf("note: different hosts (%s, %s)\n", fa.host, fb.host);
	if (force) {
		if (fa.emulated != fb.emulated || strcmp(fa.cpu, fb.cpu) ||
		    strcmp(fa.kernel, fb.kernel))
			printf("WARNING: --force: the runs differ in what they "
			       "ran on (above); the verdict below compares "
			       "machines, not only the change\n");
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

static int cmd_compare(int argc, char **argv)
{
	static const struct metric fault_metrics[] = {
		{ "latency", "results.latency_ns", true },
	};
	struct run *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	double alpha = 0.05, fail_pct = -1;
	unsigned int i, j, matched = 0, k;
	int regressed = 0, argi;
	bool across_kernels = false, force = false;
	const char *why;

	TEST_ASSERT(a && b, "calloc");
	if (argc < 2)
		die("usage: results compare A B [--alpha X] "
		    "[--fail-on-regression PCT] [--across-kernels] [--force]"
		    "%s%s", "", "");
	for (argi = 2; argi < argc; argi++) {
		char *end;

		if (!strcmp(argv[argi], "--across-kernels")) {
			across_kernels = true;
			continue;
		}
		if (!strcmp(argv[argi], "--force")) {
			force = true;
			continue;
		}
		if (strcmp(argv[argi], "--alpha") &&
		    strcmp(argv[argi], "--fail-on-regression"))
			die("unknown option '%s'%s", argv[argi], "");
		if (argi + 1 >= argc)
			die("%s needs a value%s", argv[argi], "");
		if (!strcmp(argv[argi], "--alpha")) {
			alpha = strtod(argv[++argi], &end);
			if (*end || alpha <= 0 || alpha >= 1)
				die("--alpha: '%s' is not in (0, 1)%s",
				    argv[argi], "");
		} else {
			fail_pct = strtod(argv[++argi], &end);
			if (*end || fail_pct < 0)
				die("--fail-on-regression: '%s' is not a "
				    "percentage%s", argv[argi], "");
		}
	}
	load_run(a, argv[0]);
	load_run(b, argv[1]);
	printf("A = %s\nB = %s\n", argv[0], argv[1]);
	why = comparable(a, b, across_kernels, force);
	if (why) {
		printf("NO VERDICT: %s\n", why);
		free_run(a);
		free_run(b);
		free(a);
		free(b);
		return 2;
	}
	printf("%-34s %-14s %10s %10s %9s %9s\n", "configuration", "metric",
	       "A mean us", "B mean us", "change", "p (Welch)");
	for (i = 0; i < a->n; i++) {
		char ka[128], kb[128];

		if (strcmp(a->docs[i].tool, "fault_bench"))
			continue;
		fault_key(a->docs[i].root, ka, sizeof(ka));
		for (j = 0; j < b->n; j++) {
			if (strcmp(b->docs[j].tool, "fault_bench"))
				continue;
			fault_key(b->docs[j].root, kb, sizeof(kb));
			if (strcmp(ka, kb))
				continue;
			matched++;
			for (k = 0; k < ARRAY_SIZE(fault_metrics); k++)
				compare_stats(ka, &fault_metrics[k],
					      a->docs[i].root, b->docs[j].root,
					      alpha, fail_pct, &regressed);
		}
	}
	matched += 0;
	for (i = 0; i < a->n; i++) {
		const struct jnode *ca, *cb;

		if (strcmp(a->docs[i].tool, "convert_bench"))
			continue;
		for (j = 0; j < b->n; j++) {
			if (strcmp(b->docs[j].tool, "convert_bench"))
				continue;
			ca = json_get(a->docs[i].root, "results.conversions");
			for (ca = ca ? ca->child : NULL; ca; ca = ca->next) {
				cb = json_get(b->docs[j].root,
					      "results.conversions");
				for (cb = cb ? cb->child : NULL; cb;
				     cb = cb->next) {
					struct metric m = { "host", "host_ns",
							    true };
					char key[128];

					if (strcmp(json_str_at(ca, "path", ""),
						   json_str_at(cb, "path", "")) ||
					    strcmp(json_str_at(ca, "direction",
							       ""),
						   json_str_at(cb, "direction",
							       "")) ||
					    json_num(ca, "size", 0) !=
					    json_num(cb, "size", 1) ||
					    json_get(ca, "populated")->b !=
					    json_get(cb, "populated")->b)
						continue;
					matched++;
					snprintf(key, sizeof(key), "%s %.0fK %s "
						 "%s", json_str_at(ca, "path",
								   ""),
						 json_num(ca, "size", 0) / 1024,
						 json_str_at(ca, "direction",
							     ""),
						 json_get(ca, "populated")->b ?
						 "pop" : "new");
					compare_stats(key, &m, ca, cb, alpha,
						      fail_pct, &regressed);
				}
			}
		}
	}
	free_run(a);
	free_run(b);
	free(a);
	free(b);
	if (!matched)
		die("no configuration of %s matches one of %s", argv[0],
		    argv[1]);
	printf("* significant at alpha %.2g (Welch's t-test, two-sided)\n",
	       alpha);
	if (regressed) {
		printf("REGRESSION: a significant slowdown above %.1f%%\n",
		       fail_pct);
		return 1;
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

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "summary"))
		return cmd_summary(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "plotdata"))
		return cmd_plotdata(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "compare"))
		return cmd_compare(argc - 2, argv + 2);
	if (argc == 4 && !strcmp(argv[1], "attach-perf"))
		return cmd_attach_perf(argv[2], argv[3]);
	if (argc >= 2 && (!strcmp(argv[1], "-h") ||
			  !strcmp(argv[1], "--help"))) {
		printf("usage: results summary DIR | plotdata DIR | compare "
		       "A B [--alpha X] [--fail-on-regression PCT] "
		       "[--across-kernels] [--force]\n");
		return 0;
	}
	fprintf(stderr, "usage: results summary DIR | plotdata DIR | "
		"compare A B [--alpha X] [--fail-on-regression PCT] "
		"[--across-kernels] [--force]\n");
	return 2;
}
