// SPDX-License-Identifier: GPL-2.0
/*
 * results compare A B: a verdict per configuration from its runs (see
 * main.c for the rule), refused where A and B ran on different things or
 * sampled a configuration differently.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plots.h"
#include "results.h"
#include "samples.h"

struct compare_opts {
	double alpha, fail_pct;
	const char *stat;	/* --stat: deciding everywhere, or NULL */
	const char *plot_dir;	/* --plot DIR: compare.dat and .gp there */
	bool tsv;
};

/* The deciding rows, for --plot. */
struct plot_row {
	char label[440];
	const char *stat;
	struct run_change c;
};

static struct plot_row *plot_rows;
static unsigned int nplot_rows;

static void keep_row(const char *key, const char *label, const char *stat,
		     const struct run_change *c)
{
	struct plot_row *r;

	plot_rows = realloc(plot_rows, (nplot_rows + 1) * sizeof(*plot_rows));
	if (!plot_rows)
		die("out of memory%s%s", "", "");
	r = &plot_rows[nplot_rows++];
	snprintf(r->label, sizeof(r->label), "%s, %s", key, label);
	/* The label is one quoted column of compare.dat. */
	for (char *q = r->label; *q; q++)
		if (*q == '"')
			*q = '\'';
	r->stat = stat;
	r->c = *c;
}

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
	if (c->drift_pct > 0)
		printf("    the interval takes in a drift of %.2f%% per "
		       "invocation (--drift)\n", c->drift_pct);
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
		run_change_drift(va, ma, vb, mb, o->alpha,
				 drift_for(key, label, name), &c);
		/* The slowdown is above PCT with confidence 1 - alpha/2. */
		regress = decides && c.verdict == VERDICT_SLOWER &&
			  o->fail_pct >= 0 && c.lo_pct > o->fail_pct;
		if (decides) {
			t->verdict[c.verdict]++;
			t->regressed += regress;
			if (o->plot_dir)
				keep_row(key, label, name, &c);
		}
		if (o->tsv) {
			printf("%s\t%s\t%s\t%d\t%u\t%u\t%.6g\t%.6g\t%.4f\t"
			       "%.4f\t%.4f\t%.4f\t%.4f\t%.4f\t%s\t%.4f\n", key,
			       label, name, decides, ma, mb, c.mean_a,
			       c.mean_b, c.change_pct, c.lo_pct, c.hi_pct,
			       c.noise_pct, cov_pct(va, ma), cov_pct(vb, mb),
			       verdict_key(c.verdict), c.drift_pct);
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

/* ---- counts attributed: per page or per conversion ------------------ */

/*
 * What a document's counts are divided by: fault_bench's pages the
 * deltas cover (every untimed and timed pass; older documents: worked
 * out from passes and size), convert_bench's host conversions perf
 * counted.  0 where unknown.
 */
static double count_divisor(const struct jnode *d, bool fault)
{
	double size = json_num(d, "config.size", 0);

	if (!fault)
		return json_num(d, "results.perf_calls", 0);
	if (json_get(d, "results.stats_pages"))
		return json_num(d, "results.stats_pages", 0);
	return json_num(d, "results.passes", 0) * (size / 4096) *
	       (flag(d, "config.populate") ? 3 : 2);
}

/* The per-run values of one count, divided; false if a run lacks it. */
static bool count_values(const struct group *g, const char *obj,
			 const char *name, bool fault, double *v)
{
	char path[256];
	unsigned int i;

	snprintf(path, sizeof(path), "%s.%s", obj, name);
	for (i = 0; i < g->n; i++) {
		const struct jnode *c = json_get(g->doc[i], path);
		double div = count_divisor(g->doc[i], fault);

		if (!c || c->type != J_NUM || !(div > 0))
			return false;
		v[i] = c->num / div;
	}
	return true;
}

/*
 * Each count A's first run has (KVM binary stats deltas; perf's
 * tracepoint counts with PERF=1), per page or per host conversion,
 * with the change of its mean over runs and, where the interval of
 * that change excludes 0 and it exceeds A's noise, "more" or "fewer":
 * the likely cause of a change of time is a count that moved with it.
 */
static void compare_counts(const struct group *ga, const struct group *gb,
			   bool fault, double alpha)
{
	static const char *const objs[] = { "results.kvm_vcpu_stats",
					    "results.kvm_vm_stats",
					    "perf_stat.events" };
	double *va = xcalloc(ga->n, sizeof(*va));
	double *vb = xcalloc(gb->n, sizeof(*vb));
	const struct jnode *o, *c;
	unsigned int k, shown = 0;

	for (k = 0; k < ARRAY_SIZE(objs); k++) {
		if (!fault && k < 2)
			continue;
		o = json_get(ga->doc[0], objs[k]);
		for (c = o && o->type == J_OBJ ? o->child : NULL; c;
		     c = c->next) {
			struct run_change ch;
			const char *mark = "";

			if (!count_values(ga, objs[k], c->key, fault, va) ||
			    !count_values(gb, objs[k], c->key, fault, vb))
				continue;
			run_change(va, ga->n, vb, gb->n, alpha, &ch);
			if (!ch.mean_a && !ch.mean_b)
				continue;
			if (!shown++)
				printf("  counts per %s (mean over runs; "
				       "'more'/'fewer': interval excludes 0 "
				       "and beyond A's noise):\n", fault ?
				       "page, over the measured passes" :
				       "host conversion (PERF=1)");
			if (ch.verdict == VERDICT_SLOWER)
				mark = "  more";
			else if (ch.verdict == VERDICT_FASTER)
				mark = "  fewer";
			printf("    %-34s %12.4g %12.4g %+9.2f%%%s\n",
			       c->key, ch.mean_a, ch.mean_b,
			       ch.mean_a ? ch.change_pct : NAN, mark);
		}
	}
	if (fault && !json_get(ga->doc[0], "perf_stat"))
		printf("  (no perf counts: make bench PERF=1 adds the kvm "
		       "tracepoints)\n");
	free(va);
	free(vb);
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
	if (!o->tsv)
		compare_counts(ga, gb, true, o->alpha);
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
	if (!o->tsv && json_get(ga->doc[0], "perf_stat"))
		compare_counts(ga, gb, false, o->alpha);
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
	"[--alpha X] [--drift PROFILE|PCT] [--fail-on-regression PCT] " \
	"[--across-kernels] [--force] [--tsv] [--plot DIR]"

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

static unsigned int verdict_rgb(enum run_verdict v)
{
	return v == VERDICT_SLOWER ? 0xd55e00 : v == VERDICT_FASTER ?
	       0x009e73 : 0x777777;
}

/*
 * compare.dat/.gp: per configuration, the deciding statistic's change
 * with its interval (colour: the verdict) over a band of A's noise.
 */
static void write_compare_plot(const struct compare_opts *o,
			       const char *a, const char *b,
			       const char *deciding)
{
	char made_by[160], title[1200];
	struct plot p;
	unsigned int i;

	if (mkdir(o->plot_dir, 0755) && errno != EEXIST)
		die("--plot: %s: %s", o->plot_dir, strerror(errno));
	snprintf(made_by, sizeof(made_by), "results compare A B --plot DIR");
	plot_open(&p, o->plot_dir, "compare", 1200, 260 + 28 * nplot_rows,
		  made_by);
	plot_block(&p, "A = %s, B = %s", a, b);
	fprintf(p.dat, "# row change_pct lo_pct hi_pct noise_a_pct rgb "
		"label verdict\n");
	for (i = 0; i < nplot_rows; i++) {
		const struct run_change *c = &plot_rows[i].c;
		bool one = c->verdict == VERDICT_NONE_ONE_RUN;

		fprintf(p.dat, "%u %.4f %.4f %.4f %.4f %u \"%s (%s)\" %s\n",
			i, c->change_pct, one ? c->change_pct : c->lo_pct,
			one ? c->change_pct : c->hi_pct,
			one ? 0 : c->noise_pct, verdict_rgb(c->verdict),
			plot_rows[i].label, plot_rows[i].stat,
			verdict_key(c->verdict));
	}
	snprintf(title, sizeof(title), "Is B slower than A?\nthe change of "
		 "the per-run %s, %% of A,\nwith its %g%% interval%s\nA = %s"
		 "\nB = %s", deciding, 100 * (1 - o->alpha),
		 drift_given() ? " (drift taken in)" : "", a, b);
	fprintf(p.gp, "set title ");
	gp_string(p.gp, title);
	fprintf(p.gp, "\nset xlabel \"change (%% of A; bars: interval; grey: "
		"+- A's noise)\"\nset yrange [%d:-1] \nset ytics "
		"scale 0\nset lmargin 60\nset grid xtics noytics\n"
		"set key outside bottom center horizontal\n"
		"set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb "
		"\"black\"\nplot \"compare.dat\" using (0):1:5:(0.3) "
		"with boxxyerror fs solid 0.25 noborder lc rgb \"#999999\" "
		"title \"A's noise\", \\\n\t\"compare.dat\" using "
		"2:1:3:4:6:ytic(7) with xerrorbars pt 7 ps 1.2 lc rgb "
		"variable notitle, \\\n\tNaN with points pt 7 lc rgb "
		"\"#d55e00\" title \"slower\", \\\n\tNaN with points "
		"pt 7 lc rgb \"#009e73\" title \"faster\", \\\n\tNaN "
		"with points pt 7 lc rgb \"#777777\" title \"no "
		"verdict\"\n", (int)nplot_rows);
	plot_close(&p);
	printf("%splot: %s/compare.dat, .gp (scripts/plots --draw DIR "
	       "draws it)\n", o->tsv ? "# " : "", o->plot_dir);
	free(plot_rows);
	plot_rows = NULL;
	nplot_rows = 0;
}

/*
 * Where the drift comes from, and a warning when it was measured on
 * another kernel or CPU than A ran on: a drift is one host's.
 */
static void describe_drift(const struct run *a, bool tsv)
{
	struct run_facts fa = facts_of(a);
	const char *src, *kernel, *cpu;

	drift_resolve(fa.kernel, fa.cpu);
	if (drift_auto_note())
		printf("%sdrift: %s\n", tsv ? "# " : "", drift_auto_note());
	if (!drift_given())
		return;
	drift_source(&src, &kernel, &cpu);
	if (!kernel[0]) {
		printf("%sdrift: %s for every configuration and statistic\n",
		       tsv ? "# " : "", src);
		return;
	}
	printf("%sdrift: %s (measured on kernel %s, CPU %s)\n",
	       tsv ? "# " : "", src, kernel, cpu);
	if (strcmp(kernel, fa.kernel) || strcmp(cpu, fa.cpu))
		printf("%sWARNING: the drift profile was measured on another "
		       "kernel or CPU than A ran on (%s, %s): recalibrate "
		       "on this host (scripts/calibrate-compare)\n",
		       tsv ? "# " : "", fa.kernel, fa.cpu);
}

int cmd_compare(int argc, char **argv)
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
		    strcmp(opt, "--fail-on-regression") &&
		    strcmp(opt, "--drift") && strcmp(opt, "--plot"))
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
		} else if (!strcmp(opt, "--plot")) {
			o.plot_dir = argv[argi];
		} else if (!strcmp(opt, "--drift")) {
			drift_option(argv[argi]);
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
	describe_drift(a, o.tsv);
	if (o.tsv)
		printf("# configuration\tmetric\tstat\tdecides\truns_a\truns_b"
		       "\ta_mean_of_runs\tb_mean_of_runs\tchange_pct\tlo_pct"
		       "\thi_pct\tnoise_a_pct\tcov_a_pct\tcov_b_pct\tverdict"
		       "\tdrift_pct\n");
	else
		printf("Verdict on the per-run %s ('*'): \"slower\"/\"faster\" "
		       "when the %g%% interval of the change (Welch on the "
		       "runs' values, Welch-Satterthwaite df) excludes 0 and "
		       "|change| exceeds A's noise, the relative sd of A's "
		       "runs; changes are of the mean over runs, as %% of "
		       "A's%s\n", deciding, 100 * (1 - o.alpha),
		       drift_given() ? "; the interval also takes in the "
		       "host's drift between invocations (--drift)" : "");
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
	if (o.plot_dir)
		write_compare_plot(&o, argv[0], argv[1], deciding);
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
