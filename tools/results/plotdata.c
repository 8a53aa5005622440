// SPDX-License-Identifier: GPL-2.0
/*
 * results plotdata DIR: the data of every plot scripts/plots draws, in
 * DIR/plots/NAME.dat.
 */

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results.h"
#include "samples.h"

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

int cmd_plotdata(const char *dir)
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
