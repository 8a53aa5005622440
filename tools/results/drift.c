// SPDX-License-Identifier: GPL-2.0
/*
 * The drift between invocations on one host: `results drift TSV...`
 * estimates it from the compare.tsv of A/A pairs (scripts/calibrate-
 * compare) and prints a profile; `results compare --drift PROFILE|PCT`
 * takes it into every interval.
 *
 * The runs of one scripts/bench invocation share whatever state the
 * machine is in for its minutes (a neighbour's load on a shared host,
 * frequency, memory placement), so their spread cannot show it; two
 * invocations can differ by more than either's runs spread.  Only pairs
 * of invocations measure it.
 */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "samples.h"

#define PROFILE_MAGIC	"# gmemsuite drift profile 1"
#define TSV_COLUMNS	15

struct drift_entry {
	char config[400], metric[64], stat[16];
	struct drift d;
};

struct drift_profile {
	struct drift_entry *e;
	unsigned int n;
	char kernel[128], cpu[128], source[512];
	struct drift fixed;	/* --drift PCT: every configuration */
	bool is_fixed;
};

/* Split a tab-separated line in place; the number of fields. */
static unsigned int split_tabs(char *line, char **f, unsigned int max)
{
	unsigned int n = 0;
	char *p = line;

	line[strcspn(line, "\r\n")] = 0;
	while (n < max) {
		f[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			break;
		*p++ = 0;
	}
	return p ? max + 1 : n;
}

static bool parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end != s && !*end && !errno;
}

/* "# A: host H, kernel K, CPU C, suite R": K and C. */
static bool side_facts(const char *line, char *kernel, char *cpu,
		       size_t len)
{
	const char *k = strstr(line, ", kernel "), *c = strstr(line, ", CPU ");
	const char *s = strstr(line, ", suite ");

	if (strncmp(line, "# A: host ", 10) || !k || !c || !s || c < k ||
	    s < c)
		return false;
	k += 9;
	c += 6;
	snprintf(kernel, len, "%.*s", (int)(strchr(k, ',') - k), k);
	snprintf(cpu, len, "%.*s", (int)(s - c), c);
	return true;
}

static struct drift_entry *entry_for(struct drift_entry **e,
				     unsigned int *n, const char *config,
				     const char *metric, const char *stat)
{
	unsigned int i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*e)[i].config, config) &&
		    !strcmp((*e)[i].metric, metric) &&
		    !strcmp((*e)[i].stat, stat))
			return &(*e)[i];
	*e = realloc(*e, (*n + 1) * sizeof(**e));
	if (!*e)
		die("out of memory%s%s", "", "");
	memset(&(*e)[*n], 0, sizeof(**e));
	snprintf((*e)[*n].config, sizeof((*e)[*n].config), "%s", config);
	snprintf((*e)[*n].metric, sizeof((*e)[*n].metric), "%s", metric);
	snprintf((*e)[*n].stat, sizeof((*e)[*n].stat), "%s", stat);
	return &(*e)[(*n)++];
}

/* One A/A pair's changes and their standard errors, per entry. */
struct pair_values {
	double *change, *se;
	unsigned int n, cap;
};

static void add_value(struct pair_values *p, double change, double se)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->change = realloc(p->change, p->cap * sizeof(double));
		p->se = realloc(p->se, p->cap * sizeof(double));
		if (!p->change || !p->se)
			die("out of memory%s%s", "", "");
	}
	p->change[p->n] = change;
	p->se[p->n++] = se;
}

/*
 * The standard error of a pair's change from its runs alone, as percent
 * of A's mean: sd_A = cov_a mean_a, sd_B = cov_b mean_b.
 */
static double pair_se_pct(double ma, double mb, double a, double b,
			  double cov_a, double cov_b)
{
	double sa = cov_a, sb = cov_b * b / a;

	if (ma < 2 || mb < 2 || !(a > 0))
		return NAN;
	return sqrt(sa * sa / ma + sb * sb / mb);
}

/* Read one compare.tsv into the entries (index i of pvals = entry i). */
static void read_pair(const char *path, struct drift_entry **e,
		      unsigned int *n, struct pair_values **pv,
		      char *kernel, char *cpu, size_t len)
{
	char line[2048], k[128] = "", c[128] = "";
	FILE *f = fopen(path, "r");
	unsigned int lineno = 0;
	bool header = false;

	if (!f)
		die("drift: %s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *fl[TSV_COLUMNS + 2], msg[600];
		double v[7];
		unsigned int nf, j, before = *n;
		struct drift_entry *en;

		lineno++;
		if (side_facts(line, k, c, sizeof(k)))
			continue;
		if (!strncmp(line, "# configuration\t", 16))
			header = true;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		nf = split_tabs(line, fl, TSV_COLUMNS + 1);
		if (!header || nf < TSV_COLUMNS || nf > TSV_COLUMNS + 1) {
			snprintf(msg, sizeof(msg), "%s:%u", path, lineno);
			die("drift: %s: not a line of `results compare --tsv`"
			    "%s", msg, "");
		}
		/* runs_a runs_b a_mean b_mean change, then cov_a cov_b */
		for (j = 0; j < 7; j++)
			if (!parse_double(fl[j < 5 ? 4 + j : 7 + j], &v[j]))
				break;
		if (j < 7) {
			snprintf(msg, sizeof(msg), "%s:%u", path, lineno);
			die("drift: %s: a number column is not a number%s",
			    msg, "");
		}
		en = entry_for(e, n, fl[0], fl[1], fl[2]);
		if (*n > before) {
			*pv = realloc(*pv, *n * sizeof(**pv));
			if (!*pv)
				die("out of memory%s%s", "", "");
			memset(&(*pv)[*n - 1], 0, sizeof(**pv));
		}
		add_value(&(*pv)[en - *e], v[4],
			  pair_se_pct(v[0], v[1], v[2], v[3], v[5], v[6]));
	}
	fclose(f);
	if (!header)
		die("drift: %s: no `results compare --tsv` header%s", path,
		    "");
	if (!k[0])
		die("drift: %s: no '# A: host ...' line to say where it ran%s",
		    path, "");
	if (!kernel[0]) {
		snprintf(kernel, len, "%s", k);
		snprintf(cpu, len, "%s", c);
	} else if (strcmp(kernel, k) || strcmp(cpu, c)) {
		die("drift: %s: ran on another kernel or CPU than the first "
		    "pair (%s): a profile is one host's", path, kernel);
	}
}

#define DRIFT_USAGE "usage: results drift COMPARE_TSV... (the compare.tsv " \
	"of A/A pairs, scripts/calibrate-compare)"

int cmd_drift(int argc, char **argv)
{
	static const char *const stats[] = { "untimed", "mean", "p50", "p90",
					     "p99" };
	struct pair_values *pv = NULL, pooled[ARRAY_SIZE(stats)] = { 0 };
	struct drift_entry *e = NULL;
	char kernel[128] = "", cpu[128] = "";
	unsigned int n = 0, i, j, k;

	if (argc < 1)
		die("%s%s", DRIFT_USAGE, "");
	for (i = 0; i < (unsigned int)argc; i++) {
		if (argv[i][0] == '-')
			die("drift: unknown option '%s' (%s)", argv[i],
			    DRIFT_USAGE);
		read_pair(argv[i], &e, &n, &pv, kernel, cpu, sizeof(kernel));
	}
	printf("%s: kernel %s, CPU %s, %d A/A pair(s)\n", PROFILE_MAGIC,
	       kernel, cpu, argc);
	printf("# drift: the sd of one invocation's mean around the host's, "
	       "%% of the mean; sqrt(max(0, mean(change^2 - se^2)) / 2) over "
	       "the pairs (lib/results/samples.c drift_estimate())\n");
	printf("# configuration\tmetric\tstat\tdrift_pct\tpairs\n");
	for (i = 0; i < n; i++) {
		struct drift d;

		for (k = 0; k < ARRAY_SIZE(stats); k++)
			if (!strcmp(e[i].stat, stats[k]))
				break;
		for (j = 0; k < ARRAY_SIZE(stats) && j < pv[i].n; j++)
			add_value(&pooled[k], pv[i].change[j], pv[i].se[j]);
		if (drift_estimate(pv[i].change, pv[i].se, pv[i].n, &d))
			continue;
		printf("%s\t%s\t%s\t%.4f\t%.0f\n", e[i].config, e[i].metric,
		       e[i].stat, d.pct, d.df);
	}
	/*
	 * Every configuration of the pairs together, for the others.  The
	 * configurations of one pair share its two invocations, so the
	 * estimate has at most as many degrees of freedom as pairs.
	 */
	for (k = 0; k < ARRAY_SIZE(stats); k++) {
		struct drift d;

		if (!drift_estimate(pooled[k].change, pooled[k].se,
				    pooled[k].n, &d))
			printf("*\t*\t%s\t%.4f\t%.0f\n", stats[k], d.pct,
			       fmin(d.df, argc));
		free(pooled[k].change);
		free(pooled[k].se);
	}
	for (i = 0; i < n; i++) {
		free(pv[i].change);
		free(pv[i].se);
	}
	free(pv);
	free(e);
	return 0;
}

/* ---- the profile, as compare reads it --------------------------------- */

static struct drift_profile profile;
static char auto_note[1200];
static bool drift_auto;

static void load_profile(const char *path);

/*
 * A profile's first line, "# gmemsuite drift profile 1: kernel K, CPU
 * C, N A/A pair(s)": K, C and N; false if it is not one.
 */
static bool profile_header(const char *line, char *kernel, char *cpu,
			   size_t len, unsigned int *pairs)
{
	const char *k, *c, *p;

	if (strncmp(line, PROFILE_MAGIC, strlen(PROFILE_MAGIC)))
		return false;
	k = strstr(line, ": kernel ");
	c = k ? strstr(k, ", CPU ") : NULL;
	p = c ? strrchr(line, ',') : NULL;
	if (!p || p <= c)
		return false;
	snprintf(kernel, len, "%.*s", (int)(c - k - 9), k + 9);
	snprintf(cpu, len, "%.*s", (int)(p - c - 6), c + 6);
	*pairs = strtoul(p + 1, NULL, 10);
	return true;
}

/* The header facts of a profile file; false if it is none. */
static bool profile_facts(const char *path, char *kernel, char *cpu,
			  size_t len, unsigned int *pairs)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fgets(line, sizeof(line), f) &&
	     profile_header(line, kernel, cpu, len, pairs);
	fclose(f);
	return ok;
}

/*
 * --drift auto: the profile measured on A's kernel and CPU, from the
 * directories of GMEMSUITE_DRIFT_PATH (colon-separated; each searched
 * for SUB/drift.tsv), the one with the most pairs (the last name on a
 * tie).  None: no drift term, and a note says so.
 */
static void find_profile(const char *kernel, const char *cpu)
{
	const char *env = getenv("GMEMSUITE_DRIFT_PATH");
	char *dirs = strdup(env ? env : ""), *save = NULL, *d;
	char best[1100] = "", path[1100], k[128], c[128];
	unsigned int best_pairs = 0, pairs;

	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		DIR *dir = opendir(d);
		struct dirent *e;

		while (dir && (e = readdir(dir))) {
			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s/drift.tsv", d,
				 e->d_name);
			if (!profile_facts(path, k, c, sizeof(k), &pairs) ||
			    strcmp(k, kernel) || strcmp(c, cpu))
				continue;
			if (pairs > best_pairs ||
			    (pairs == best_pairs && strcmp(path, best) > 0)) {
				best_pairs = pairs;
				snprintf(best, sizeof(best), "%s", path);
			}
		}
		if (dir)
			closedir(dir);
	}
	free(dirs);
	if (best[0]) {
		load_profile(best);
		return;
	}
	snprintf(auto_note, sizeof(auto_note), "no drift profile for kernel "
		 "%s, CPU %s in %s: the interval holds the runs' spread only "
		 "(scripts/calibrate-compare measures one)", kernel, cpu,
		 env && *env ? env : "(GMEMSUITE_DRIFT_PATH unset)");
}

static void load_profile(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");
	unsigned int lineno = 0;

	if (!f)
		die("--drift: %s: %s (a profile from `results drift`, or a "
		    "percentage)", path, strerror(errno));
	snprintf(profile.source, sizeof(profile.source), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *fl[6], msg[600];
		struct drift_entry *en;
		double pct, df;

		lineno++;
		if (lineno == 1) {
			unsigned int pairs;

			if (!profile_header(line, profile.kernel, profile.cpu,
					    sizeof(profile.kernel), &pairs))
				die("--drift: %s: not a drift profile (its "
				    "first line is not '%s: ...')", path,
				    PROFILE_MAGIC);
			continue;
		}
		if (line[0] == '#')
			continue;
		if (split_tabs(line, fl, 5) != 5 ||
		    !parse_double(fl[3], &pct) || !parse_double(fl[4], &df) ||
		    !(pct >= 0) || isinf(pct) || !(df >= 1)) {
			snprintf(msg, sizeof(msg), "%s:%u", path, lineno);
			die("--drift: %s: not 'configuration metric stat "
			    "drift_pct pairs'%s", msg, "");
		}
		en = entry_for(&profile.e, &profile.n, fl[0], fl[1], fl[2]);
		en->d.pct = pct;
		en->d.df = df;
	}
	fclose(f);
	if (!lineno)
		die("--drift: %s: empty%s", path, "");
}

void drift_option(const char *arg)
{
	char *end;
	double pct;

	if (!strcmp(arg, "auto")) {
		drift_auto = true;
		return;
	}
	pct = strtod(arg, &end);
	if (end != arg && !*end) {
		if (!(pct >= 0) || pct > 1000)
			die("--drift: '%s' is not a percentage in [0, 1000]%s",
			    arg, "");
		profile.is_fixed = true;
		profile.fixed.pct = pct;
		profile.fixed.df = 0;
		snprintf(profile.source, sizeof(profile.source),
			 "--drift %s", arg);
		return;
	}
	load_profile(arg);
}

void drift_resolve(const char *kernel, const char *cpu)
{
	if (drift_auto && !profile.source[0])
		find_profile(kernel, cpu);
}

const char *drift_auto_note(void)
{
	return auto_note[0] ? auto_note : NULL;
}

bool drift_given(void)
{
	return profile.is_fixed || profile.source[0];
}

/* The profile's kernel and CPU ("" for --drift PCT). */
void drift_source(const char **source, const char **kernel,
		  const char **cpu)
{
	*source = profile.source;
	*kernel = profile.kernel;
	*cpu = profile.cpu;
}

const struct drift *drift_for(const char *config, const char *metric,
			      const char *stat)
{
	unsigned int i;

	if (profile.is_fixed)
		return &profile.fixed;
	for (i = 0; i < profile.n; i++)
		if (!strcmp(profile.e[i].config, config) &&
		    !strcmp(profile.e[i].metric, metric) &&
		    !strcmp(profile.e[i].stat, stat))
			return &profile.e[i].d;
	for (i = 0; i < profile.n; i++)
		if (!strcmp(profile.e[i].config, "*") &&
		    !strcmp(profile.e[i].metric, "*") &&
		    !strcmp(profile.e[i].stat, stat))
			return &profile.e[i].d;
	return NULL;
}
