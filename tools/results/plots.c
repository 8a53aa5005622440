// SPDX-License-Identifier: GPL-2.0
/*
 * results plots DIR: every plot of a run, each as NAME.dat (its data,
 * gnuplot blocks) and NAME.gp (its drawing) side by side in DIR/plots;
 * scripts/plots runs `gnuplot -e "fmt='png'" NAME.gp` (and svg) there.
 * One question per plot:
 *   fault_ccdf    how often is a fault slower than x?  The tail on a log
 *                 axis, one panel per backing, with the floors a sample
 *                 cannot go below (the resident re-access and the timer);
 *   fault_vcpus   does the cost per page grow with vCPUs?  Points with
 *                 the range of the runs;
 *   convert_cost  what does converting N bytes cost next to zeroing
 *                 them?  Log-log, one panel per direction;
 *   split         what does splitting a 2M mapping cost a re-access?
 * A plot without data in the run is not written and is named on stdout.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plots.h"
#include "results.h"
#include "samples.h"

/* One fixed colour per backing or path, whatever the run holds. */
static const struct {
	const char *name, *rgb;
} colours[] = {
	{ "anon", "#0072b2" }, { "vm-attr", "#0072b2" },
	{ "thp", "#e69f00" }, { "vm-attr-discard", "#e69f00" },
	{ "shmem", "#009e73" }, { "in-place", "#009e73" },
	{ "hugetlb2m", "#cc79a7" }, { "hugetlb1g", "#d55e00" },
	{ "gmem", "#56b4e9" }, { "gmem-private", "#000000" },
};

/* The colour-blind-safe palette, for curves told apart by number. */
static const char *const palette[] = {
	"#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9",
	"#000000",
};

const char *plot_colour(const char *name, unsigned int fallback)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(colours); i++)
		if (!strcmp(colours[i].name, name))
			return colours[i].rgb;
	return palette[fallback % ARRAY_SIZE(palette)];
}

static FILE *plot_file(const struct plot *p, const char *ext)
{
	char path[1100];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", p->dir, p->name, ext);
	f = fopen(path, "we");
	if (!f)
		die("%s: %s", path, strerror(errno));
	return f;
}

/* A gnuplot double-quoted string: backslash and quote escaped. */
void gp_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else if ((unsigned char)*s >= ' ')
			fputc(*s, f);
	}
	fputc('"', f);
}

void gp_title(FILE *f, const char *cmd, const char *question,
	      const char *run_title)
{
	char buf[1200];

	snprintf(buf, sizeof(buf), "%s\n%s", question, run_title);
	fprintf(f, "%s ", cmd);
	gp_string(f, buf);
	fputc('\n', f);
}

void plot_open(struct plot *p, const char *dir, const char *name,
	       unsigned int width, unsigned int height, const char *made_by)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "%s", dir);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->dat = plot_file(p, "dat");
	p->gp = plot_file(p, "gp");
	fprintf(p->dat, "# %s.dat: the data of %s.gp (%s)\n", name, name,
		made_by);
	fprintf(p->gp,
		"# %s.gp: draws %s.dat (%s).\n"
		"# In this directory: gnuplot -e \"fmt='svg'\" %s.gp "
		"(default png)\n"
		"if (!exists(\"fmt\")) fmt = \"png\"\n"
		"if (fmt eq \"svg\") {\n"
		"\tset terminal svg size %u,%u noenhanced font \"sans,10\"\n"
		"} else {\n"
		"\tset terminal pngcairo size %u,%u noenhanced "
		"font \"sans,10\"\n"
		"}\n"
		"set output \"%s.\".fmt\n"
		"set grid\n", name, name, made_by, name, width, height, width,
		height, name);
}

unsigned int plot_block(struct plot *p, const char *fmt, const char *a,
			const char *b)
{
	if (p->blocks)
		fprintf(p->dat, "\n\n");
	fprintf(p->dat, "# block %u: ", p->blocks);
	fprintf(p->dat, fmt, a, b);
	fputc('\n', p->dat);
	return p->blocks++;
}

void plot_close(struct plot *p)
{
	if (fclose(p->dat) || fclose(p->gp))
		die("%s/%s: writing failed", p->dir, p->name);
}

/* ---- fault_ccdf ----------------------------------------------------- */

/* The fault_bench groups, and the backings in order of appearance. */
struct faults {
	const struct group *g[256];
	unsigned int n;
	const char *backing[32];
	unsigned int nb;
};

static const char *backing_of(const struct group *g)
{
	return json_str_at(g->doc[0], "config.backing", "?");
}

static void faults_of(const struct groups *gs, struct faults *f)
{
	unsigned int k, b;

	memset(f, 0, sizeof(*f));
	for (k = 0; k < gs->n && f->n < ARRAY_SIZE(f->g); k++) {
		const struct group *g = &gs->g[k];

		if (strcmp(g->tool, "fault_bench"))
			continue;
		f->g[f->n++] = g;
		for (b = 0; b < f->nb; b++)
			if (!strcmp(f->backing[b], backing_of(g)))
				break;
		if (b == f->nb && f->nb < ARRAY_SIZE(f->backing))
			f->backing[f->nb++] = backing_of(g);
	}
}

/*
 * A configuration's curve label: its vCPUs, and the node where --node
 * placed its memory ("x1", "x2, node 1 remote").
 */
static void curve_label(const struct group *g, char *buf, size_t len)
{
	const char *node = strstr(g->key, " node ");
	double v = json_num(g->doc[0], "config.vcpus", 0);

	snprintf(buf, len, "%.0f vCPU%s%s", v, v == 1 ? "" : "s",
		 node ? "," : "");
	if (node)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s", node);
}

/*
 * The CCDF of a configuration, its runs' histograms pooled: for each
 * bucket, the fraction of samples at or above its lower edge; the last
 * step ends at the upper edge of the last bucket.  Returns the smallest
 * fraction written (1 / samples); *xmin: the smallest latency written.
 */
static double write_ccdf(FILE *f, const struct group *g, double *xmin)
{
	double count[HIST_BUCKETS] = { 0 }, total = 0, above;
	unsigned int i, last = 0;
	const struct jnode *b, *c;

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
	fprintf(f, "# latency_us fraction_at_or_above (%.0f samples, %u "
		"run(s) pooled)\n", total, g->n);
	if (!total)
		return 1;
	above = total;
	for (i = 0; i < HIST_BUCKETS; i++) {
		if (!count[i])
			continue;
		fprintf(f, "%.4f %.6g\n", hist_bucket_lo(i) / 1e3,
			above / total);
		*xmin = fmin(*xmin, hist_bucket_lo(i) / 1e3);
		above -= count[i];
		last = i;
	}
	if (last + 1 < HIST_BUCKETS)
		fprintf(f, "%.4f %.6g\n", hist_bucket_lo(last + 1) / 1e3,
			count[last] / total);
	return 1 / total;
}

/* Median over a group's runs of a field, in us (NAN where absent). */
static double median_us(const struct group *g, const char *path)
{
	double *v = xcalloc(g->n, sizeof(*v)), m;
	unsigned int n = values_of(g->doc, g->n, path, v);

	m = n ? median(v, n) / 1e3 : NAN;
	free(v);
	return m;
}

/* The batch of a panel's configurations: one value, or 0 if they vary. */
static double panel_batch(const struct faults *f, const char *backing)
{
	double batch = -1;
	unsigned int k;

	for (k = 0; k < f->n; k++) {
		double b = json_num(f->g[k]->doc[0], "config.batch", 1);

		if (strcmp(backing_of(f->g[k]), backing))
			continue;
		if (batch >= 0 && b != batch)
			return 0;
		batch = b;
	}
	return batch;
}

static void ccdf_panel(struct plot *p, const struct faults *f,
		       const char *backing)
{
	const struct group *first = NULL;
	char label[200], curves[4096] = "";
	double floor_res = NAN, floor_tim = NAN, ymin = 1, batch;
	double xmin = INFINITY, lo;
	unsigned int k, idx, c = 0;
	size_t used = 0;

	for (k = 0; k < f->n; k++) {
		const struct group *g = f->g[k];

		if (strcmp(backing_of(g), backing))
			continue;
		if (!first)
			first = g;
		curve_label(g, label, sizeof(label));
		/* Batches differ in the panel: each curve names its own. */
		if (!panel_batch(f, backing))
			snprintf(label + strlen(label),
				 sizeof(label) - strlen(label), ", %.0f/sample",
				 json_num(g->doc[0], "config.batch", 1));
		idx = plot_block(p, "%s, %s", g->key, label);
		ymin = fmin(ymin, write_ccdf(p->dat, g, &xmin));
		used += snprintf(curves + used, sizeof(curves) - used,
				 "%s\"fault_ccdf.dat\" index %u using 1:2 "
				 "with steps lw 2 lc rgb \"%s\" dt %u "
				 "title \"%s\"", c ? ", \\\n\t" : "", idx,
				 palette[c % ARRAY_SIZE(palette)],
				 strstr(label, "remote") ? 2 : 1, label);
		c++;
		if (used >= sizeof(curves))
			die("fault_ccdf: %s: too many curves%s", backing, "");
	}
	/* The floors of the panel's first configuration (1 vCPU first). */
	floor_res = median_us(first, "results.resident_floor_ns.p50");
	floor_tim = median_us(first, "results.timing_overhead_ns.p50");
	batch = panel_batch(f, backing);
	fprintf(p->gp, "set title \"%s\"\n", backing);
	if (batch > 0)
		fprintf(p->gp, "set xlabel \"latency per page (us, log), %.0f "
			"page%s per sample\"\n", batch, batch == 1 ? "" : "s");
	else
		fprintf(p->gp, "set xlabel \"latency per page (us, log); "
			"pages per sample in the key\"\n");
	fprintf(p->gp, "set yrange [%.3g:1.5]\nunset arrow\nunset label\n",
		ymin / 2);
	/*
	 * The floors on the axis when they are within two decades of the
	 * fastest sample (the x range then starts below them); further
	 * down (an emulated CPU's floors against its slow faults) they are
	 * named in the panel instead.
	 */
	lo = fmin(floor_res, floor_tim);
	if (!isfinite(xmin) || !(lo > 0) || lo < xmin / 100) {
		if (isfinite(floor_res) && isfinite(floor_tim))
			fprintf(p->gp, "set label \"floors, off the axis: "
				"resident %.2f us, timer %.2f us\" at graph "
				"0.03, graph 0.06 tc rgb \"#555555\"\n",
				floor_res, floor_tim);
		fprintf(p->gp, "set xrange [%.4g:*]\n",
			isfinite(xmin) ? xmin / 1.5 : 1);
		fprintf(p->gp, "plot %s\n", curves);
		return;
	}
	fprintf(p->gp, "set xrange [%.4g:*]\n", fmin(lo, xmin) / 1.5);
	if (isfinite(floor_res))
		fprintf(p->gp, "set arrow from %.4f, graph 0 to %.4f, graph 1 "
			"nohead lw 1 lc rgb \"#555555\" dt 3\nset label "
			"\"resident %.2f us\" at %.4f, graph 0.93 right "
			"rotate by 90 tc rgb \"#555555\"\n", floor_res,
			floor_res, floor_res, floor_res);
	if (isfinite(floor_tim))
		fprintf(p->gp, "set arrow from %.4f, graph 0 to %.4f, graph 1 "
			"nohead lw 1 lc rgb \"#999999\" dt 2\nset label "
			"\"timer %.2f us\" at %.4f, graph 0.93 right rotate "
			"by 90 tc rgb \"#999999\"\n", floor_tim, floor_tim,
			floor_tim, floor_tim);
	fprintf(p->gp, "plot %s\n", curves);
}

static void plot_fault_ccdf(const char *pdir, const struct faults *f,
			    const char *title, const char *made_by)
{
	unsigned int cols = f->nb > 1 ? 2 : 1, rows = (f->nb + cols - 1) / cols;
	struct plot p;
	unsigned int b;
	char cmd[64];

	plot_open(&p, pdir, "fault_ccdf", 1000, 120 + 330 * rows, made_by);
	fprintf(p.gp, "set logscale xy\nset format y \"%%g\"\n"
		"set ylabel \"fraction of samples at or above\"\n"
		"set key top right\n");
	snprintf(cmd, sizeof(cmd), "set multiplot layout %u,%u title", rows,
		 cols);
	gp_title(p.gp, cmd, "How often is a fault slower than x? (log axes; "
		 "dotted: resident re-access floor, dashed: timer floor)",
		 title);
	for (b = 0; b < f->nb; b++)
		ccdf_panel(&p, f, f->backing[b]);
	fprintf(p.gp, "unset multiplot\n");
	plot_close(&p);
	printf("plots: %s/%s.dat, .gp\n", p.dir, p.name);
}

/* ---- fault_vcpus ---------------------------------------------------- */

/* Median, min and max over runs of a field, in us. */
static void range_us(const struct group *g, const char *path, double *med,
		     double *lo, double *hi)
{
	double *v = xcalloc(g->n, sizeof(*v));
	unsigned int n = values_of(g->doc, g->n, path, v), i;

	*med = n ? median(v, n) / 1e3 : NAN;
	*lo = *hi = *med;
	for (i = 0; i < n; i++) {
		*lo = fmin(*lo, v[i] / 1e3);
		*hi = fmax(*hi, v[i] / 1e3);
	}
	free(v);
}

/* vCPU counts of a backing's configurations without --node. */
static unsigned int vcpu_counts(const struct faults *f, const char *backing)
{
	unsigned int k, n = 0;

	for (k = 0; k < f->n; k++)
		n += !strcmp(backing_of(f->g[k]), backing) &&
		     !strstr(f->g[k]->key, " node ");
	return n;
}

static void vcpu_block(struct plot *p, const struct faults *f,
		       const char *backing, const char *path)
{
	unsigned int k, v, best;
	double done = 0;

	/* Rows in vCPU order (a small selection sort over the groups). */
	for (;;) {
		best = f->n;
		for (k = 0; k < f->n; k++) {
			v = json_num(f->g[k]->doc[0], "config.vcpus", 0);
			if (strcmp(backing_of(f->g[k]), backing) ||
			    strstr(f->g[k]->key, " node ") || v <= done)
				continue;
			if (best == f->n ||
			    v < json_num(f->g[best]->doc[0], "config.vcpus", 0))
				best = k;
		}
		if (best == f->n)
			break;
		{
			double m, lo, hi;

			range_us(f->g[best], path, &m, &lo, &hi);
			done = json_num(f->g[best]->doc[0], "config.vcpus", 0);
			fprintf(p->dat, "%.0f %.4f %.4f %.4f %u\n", done, m, lo,
				hi, f->g[best]->n);
		}
	}
}

static void plot_fault_vcpus(const char *pdir, const struct faults *f,
			     const char *title, const char *made_by)
{
	char curves[8192] = "";
	size_t used = 0;
	struct plot p;
	unsigned int b, i0, c = 0;
	bool untimed = true;

	for (b = 0; b < f->n; b++)
		untimed &= json_get(f->g[b]->doc[0],
				    "results.untimed_ns_per_page") != NULL;
	plot_open(&p, pdir, "fault_vcpus", 1000, 650, made_by);
	for (b = 0; b < f->nb; b++) {
		const char *name = f->backing[b];

		if (vcpu_counts(f, name) < 2)
			continue;
		i0 = plot_block(&p, "%s: %s per page, us", name,
				untimed ? "untimed cost" : "p50");
		fprintf(p.dat, "# vcpus median min max runs\n");
		vcpu_block(&p, f, name, untimed ?
			   "results.untimed_ns_per_page" :
			   "results.latency_ns.p50");
		used += snprintf(curves + used, sizeof(curves) - used,
				 "%s\"fault_vcpus.dat\" index %u using ($1 + "
				 "%.2f):2:3:4 with yerrorlines lw 2 pt 7 lc rgb "
				 "\"%s\" title \"%s\"", c ? ", \\\n\t" : "",
				 i0, 0.03 * c, plot_colour(name, c), name);
		if (used >= sizeof(curves))
			die("fault_vcpus: too many backings%s%s", "", "");
		c++;
	}
	gp_title(p.gp, "set title", "Does the cost per page grow with vCPUs? "
		 "(points: median over runs; bars: the runs' range; backings "
		 "set apart a little in x)", title);
	fprintf(p.gp, "set xlabel \"vCPUs\"\nset xtics 1\n"
		"set ylabel \"us per page (%s)\"\nset key outside right top\n"
		"set autoscale xfix\nset offsets 0.25, 0.25, 0, 0\n"
		"set yrange [0:*]\nplot %s\n", untimed ?
		"untimed cost: the pass timed as a whole" :
		"p50 of the samples", curves);
	plot_close(&p);
	printf("plots: %s/%s.dat, .gp\n", p.dir, p.name);
}

/* ---- convert_cost --------------------------------------------------- */

struct conv_curve {
	char label[200], dir[32], state[16];
	double size[64], med[64], lo[64], hi[64], floor[64];
	unsigned int n;
};

struct conv_curves {
	struct conv_curve c[128];
	unsigned int n;
};

static struct conv_curve *curve_for(struct conv_curves *cs,
				    const char *label, const char *dir,
				    const char *state)
{
	unsigned int k;

	for (k = 0; k < cs->n; k++)
		if (!strcmp(cs->c[k].label, label) &&
		    !strcmp(cs->c[k].dir, dir) &&
		    !strcmp(cs->c[k].state, state))
			return &cs->c[k];
	if (cs->n == ARRAY_SIZE(cs->c))
		die("convert_cost: more than %s curves%s", "128", "");
	k = cs->n++;
	snprintf(cs->c[k].label, sizeof(cs->c[k].label), "%s", label);
	snprintf(cs->c[k].dir, sizeof(cs->c[k].dir), "%s", dir);
	snprintf(cs->c[k].state, sizeof(cs->c[k].state), "%s", state);
	return &cs->c[k];
}

/* Each run's zeroing floor at a size: the median over runs, us. */
static double floor_at(const struct group *g, double size)
{
	double *v = xcalloc(g->n, sizeof(*v)), m;
	const struct jnode *f;
	unsigned int i, n = 0;

	for (i = 0; i < g->n; i++) {
		f = json_get(g->doc[i], "results.floor");
		for (f = f ? f->child : NULL; f; f = f->next)
			if (json_num(f, "size", -1) == size)
				v[n++] = json_num(f, "memset_ns.p50", 0);
	}
	m = n ? median(v, n) / 1e3 : NAN;
	free(v);
	return m;
}

static void convert_rows(const struct group *g, struct conv_curves *cs)
{
	struct rows rs;
	unsigned int j, i;

	rows_of(g, &rs);
	for (j = 0; j < rs.nkeys; j++) {
		const struct jnode **row = &rs.row[j * g->n], *c = NULL;
		double v[64], size;
		struct conv_curve *cc;
		char label[200];
		unsigned int n;

		for (i = 0; i < g->n && !c; i++)
			c = row[i];
		if (!c || row_skipped(&rs, j))
			continue;
		snprintf(label, sizeof(label), "%s", json_str_at(c, "path",
								 "?"));
		/* Several kernels side by side: each curve names its file. */
		if (strcmp(g->key, g->ckey))
			snprintf(label + strlen(label),
				 sizeof(label) - strlen(label), " (%s)",
				 strncmp(g->stem, "convert-", 8) ? g->stem :
				 g->stem + 8);
		cc = curve_for(cs, label, json_str_at(c, "direction", "?"),
			       flag(c, "populated") ? "populated" :
			       "untouched");
		if (cc->n == ARRAY_SIZE(cc->size) || g->n > ARRAY_SIZE(v))
			die("convert_cost: %s: too many sizes or runs%s",
			    label, "");
		size = json_num(c, "size", 0);
		n = values_of(row, g->n, "host_ns.p50", v);
		if (!n)
			continue;
		cc->size[cc->n] = size;
		cc->med[cc->n] = median(v, n) / 1e3;
		cc->lo[cc->n] = cc->hi[cc->n] = cc->med[cc->n];
		for (i = 0; i < n; i++) {
			cc->lo[cc->n] = fmin(cc->lo[cc->n], v[i] / 1e3);
			cc->hi[cc->n] = fmax(cc->hi[cc->n], v[i] / 1e3);
		}
		cc->floor[cc->n++] = floor_at(g, size);
	}
	free_rows(&rs);
}

static unsigned int state_dash(const char *state)
{
	return !strcmp(state, "populated") ? 1 : 2;
}

static void convert_panel(struct plot *p, const struct conv_curves *cs,
			  const char *dir)
{
	char curves[8192] = "", labels[16][200];
	unsigned int k, i, idx, nl = 0, l;
	size_t used = 0;
	bool any_floor = false;

	fprintf(p->gp, "set title \"%s\"\n", dir);
	for (k = 0; k < cs->n; k++) {
		const struct conv_curve *c = &cs->c[k];

		if (strcmp(c->dir, dir))
			continue;
		/* Colour: path (fixed) or, for labelled curves, by order. */
		for (l = 0; l < nl && strcmp(labels[l], c->label); l++)
			;
		if (l == nl && nl < ARRAY_SIZE(labels))
			snprintf(labels[nl++], sizeof(labels[0]), "%s",
				 c->label);
		idx = plot_block(p, "%s %s", c->label, c->state);
		fprintf(p->dat, "# size_bytes host_p50_us_median min max "
			"memset_p50_us\n");
		for (i = 0; i < c->n; i++) {
			fprintf(p->dat, "%.0f %.4f %.4f %.4f %.4f\n",
				c->size[i], c->med[i], c->lo[i], c->hi[i],
				c->floor[i]);
			any_floor |= isfinite(c->floor[i]) && c->floor[i] > 0;
		}
		used += snprintf(curves + used, sizeof(curves) - used,
				 "%s\"convert_cost.dat\" index %u using 1:2:3:4 "
				 "with yerrorlines lw 2 pt 7 ps 0.6 lc rgb "
				 "\"%s\" dt %u title \"%s, %s\"",
				 used ? ", \\\n\t" : "", idx,
				 plot_colour(c->label, l), state_dash(c->state),
				 c->label, c->state);
		if (used >= sizeof(curves))
			die("convert_cost: too many curves%s%s", "", "");
	}
	/* The zeroing floor: each size's memset, from the first curve. */
	for (k = 0; k < cs->n && any_floor; k++) {
		if (strcmp(cs->c[k].dir, dir))
			continue;
		idx = plot_block(p, "zeroing floor (memset of the size), %s",
				 dir, "");
		fprintf(p->dat, "# size_bytes memset_p50_us\n");
		for (i = 0; i < cs->c[k].n; i++)
			if (isfinite(cs->c[k].floor[i]) && cs->c[k].floor[i] > 0)
				fprintf(p->dat, "%.0f %.4f\n", cs->c[k].size[i],
					cs->c[k].floor[i]);
		used += snprintf(curves + used, sizeof(curves) - used,
				 ", \\\n\t\"convert_cost.dat\" index %u using "
				 "1:2 with lines lw 3 lc \"black\" title "
				 "\"zeroing floor (memset)\"", idx);
		break;
	}
	fprintf(p->gp, "plot %s\n", curves);
}

static void plot_convert_cost(const char *pdir, const struct groups *gs,
			      const char *title, const char *made_by)
{
	static struct conv_curves cs;
	const char *dirs[] = { "to_private", "to_shared" };
	unsigned int k, d, panels = 0, has[2] = { 0 };
	struct plot p;
	char cmd[64];

	cs.n = 0;
	for (k = 0; k < gs->n; k++)
		if (strcmp(gs->g[k].tool, "fault_bench"))
			convert_rows(&gs->g[k], &cs);
	for (k = 0; k < cs.n; k++)
		for (d = 0; d < 2; d++)
			has[d] += cs.c[k].n && !strcmp(cs.c[k].dir, dirs[d]);
	panels = !!has[0] + !!has[1];
	if (!panels) {
		printf("plots: no timed conversion rows: convert_cost left "
		       "out\n");
		return;
	}
	plot_open(&p, pdir, "convert_cost", 1000, 120 + 420 * panels,
		  made_by);
	fprintf(p.gp, "set logscale xy\nset format y \"%%g\"\n"
		"set format x \"%%.0s%%cB\"\n"
		"set xlabel \"bytes converted (log; kB, MB, GB: powers of "
		"1000)\"\n"
		"set ylabel \"host time per call (us, log)\"\n"
		"set key outside right top\n");
	snprintf(cmd, sizeof(cmd), "set multiplot layout %u,1 title",
		 panels);
	gp_title(p.gp, cmd, "What does converting N bytes cost next to "
		 "zeroing them? (colour: path; solid: populated, dashed: "
		 "untouched; bars: the runs' range)", title);
	for (d = 0; d < 2; d++)
		if (has[d])
			convert_panel(&p, &cs, dirs[d]);
	fprintf(p.gp, "unset multiplot\n");
	plot_close(&p);
	printf("plots: %s/%s.dat, .gp\n", p.dir, p.name);
}

/* ---- split ---------------------------------------------------------- */

static bool plot_split(const char *pdir, const struct groups *gs,
		       const char *title, const char *made_by)
{
	static const char *const steps[] = { "before", "after_to_private",
					     "after_back_to_shared" };
	const struct jnode *s = NULL;
	struct plot p;
	unsigned int k;

	for (k = 0; k < gs->n && !s; k++)
		if (strcmp(gs->g[k].tool, "fault_bench")) {
			s = json_get(gs->g[k].doc[0], "results.split");
			if (s && !json_get(s, "before"))
				s = NULL;
		}
	if (!s)
		return false;
	plot_open(&p, pdir, "split", 1000, 650, made_by);
	plot_block(&p, "the first run's split mode%s%s", "", "");
	fprintf(p.dat, "# step reaccess_us_per_page pages_4k pages_2m\n");
	for (k = 0; k < ARRAY_SIZE(steps); k++) {
		const struct jnode *st = json_get(s, steps[k]);

		fprintf(p.dat, "%s %.4f %.0f %.0f\n", steps[k],
			json_num(st, "reaccess_us_per_page", 0),
			json_num(st, "pages_4k", 0),
			json_num(st, "pages_2m", 0));
	}
	gp_title(p.gp, "set title", "What does splitting a 2M mapping cost a "
		 "re-access? (one 4K page converted; labels: 4K and 2M "
		 "leaves)", title);
	fprintf(p.gp, "set style data histograms\nset style fill solid "
		"0.6\nset boxwidth 0.6\nset ylabel \"re-access latency (us "
		"per page, log)\"\nset logscale y\nset yrange [*:*]\n"
		"plot \"split.dat\" using 2:xtic(1) title \"re-access\" lc "
		"rgb \"#0072b2\", \\\n\t\"split.dat\" using 0:2:(sprintf("
		"\"%%.0f x 4K, %%.0f x 2M\", $3, $4)) with labels offset 0,1 "
		"notitle\n");
	plot_close(&p);
	printf("plots: %s/%s.dat, .gp\n", p.dir, p.name);
	return true;
}

/* ---- the command ---------------------------------------------------- */

/*
 * The files this command writes (and wrote before the plots had their
 * drawing beside their data): removed first, so that a plot with no
 * data left in the run leaves nothing stale behind.
 */
static void remove_old(const char *pdir)
{
	static const char *const names[] = {
		"fault_ccdf.dat", "fault_ccdf.gp", "fault_vcpus.dat",
		"fault_vcpus.gp", "convert_cost.dat", "convert_cost.gp",
		"split.dat", "split.gp", "title.txt", "fault_vs_vcpus.dat",
		"fault_cdf.png", "fault_cdf.svg",
	};
	char path[1100];
	unsigned int k, b, v;

	for (k = 0; k < ARRAY_SIZE(names); k++) {
		snprintf(path, sizeof(path), "%s/%s", pdir, names[k]);
		unlink(path);
	}
	/* cdf_BACKING_xN.dat: the former one curve per file. */
	for (b = 0; b < ARRAY_SIZE(colours); b++)
		for (v = 1; v <= 64; v *= 2) {
			snprintf(path, sizeof(path), "%s/cdf_%s_x%u.dat", pdir,
				 colours[b].name, v);
			unlink(path);
		}
}

int cmd_plots(const char *dir, bool force)
{
	struct run *r = new_run(dir);
	char pdir[1024], path[1100], title[600], made_by[128];
	struct faults f;
	struct groups gs;
	FILE *t;

	group_run(r, &gs, false);
	snprintf(pdir, sizeof(pdir), "%s/plots", dir);
	if (mkdir(pdir, 0755) && errno != EEXIST)
		die("%s: %s", pdir, strerror(errno));
	remove_old(pdir);
	snprintf(made_by, sizeof(made_by), "results plots RUN_DIR%s",
		 force ? " --force" : "");
	plot_title(r, title, sizeof(title));
	snprintf(path, sizeof(path), "%s/title.txt", pdir);
	t = fopen(path, "we");
	if (!t || fprintf(t, "%s\n", title) < 0 || fclose(t))
		die("%s: %s", path, strerror(errno));
	faults_of(&gs, &f);
	if (f.n) {
		unsigned int b, multi = 0;

		plot_fault_ccdf(pdir, &f, title, made_by);
		for (b = 0; b < f.nb; b++)
			multi += vcpu_counts(&f, f.backing[b]) >= 2;
		if (multi)
			plot_fault_vcpus(pdir, &f, title, made_by);
		else
			printf("plots: no backing ran with two vCPU counts: "
			       "fault_vcpus left out\n");
	} else {
		printf("plots: no fault_bench results: fault_ccdf and "
		       "fault_vcpus left out\n");
	}
	plot_convert_cost(pdir, &gs, title, made_by);
	if (!plot_split(pdir, &gs, title, made_by))
		printf("plots: no split results: split left out\n");
	free_groups(&gs);
	free_run(r);
	return 0;
}
