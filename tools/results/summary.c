// SPDX-License-Identifier: GPL-2.0
/*
 * results summary DIR: DIR/summary.md, one table per kind of run (faults,
 * each VM kind's conversions), what the host could not test at the top.
 */

#include <errno.h>
#include <math.h>
#include <string.h>

#include "gmem.h"
#include "results.h"

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

int cmd_summary(const char *dir)
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
