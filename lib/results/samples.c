// SPDX-License-Identifier: GPL-2.0
#include <math.h>
#include <stdlib.h>

#include "samples.h"
#include "test_util.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_percentile(const double *sorted, size_t n, double q)
{
	double pos, frac;
	size_t i;

	if (!n)
		return 0;
	pos = q * (n - 1);
	i = (size_t)pos;
	frac = pos - i;
	if (i + 1 >= n)
		return sorted[n - 1];
	return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

void stats_compute(double *v, size_t n, struct sample_stats *s)
{
	double sum = 0, sq = 0;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	qsort(v, n, sizeof(*v), cmp_double);
	for (i = 0; i < n; i++)
		sum += v[i];
	s->n = n;
	s->mean = sum / n;
	/* Two-pass variance: stable for large n and small spreads. */
	for (i = 0; i < n; i++)
		sq += (v[i] - s->mean) * (v[i] - s->mean);
	s->stddev = n > 1 ? sqrt(sq / (n - 1)) : 0;
	s->min = v[0];
	s->max = v[n - 1];
	s->p50 = stats_percentile(v, n, 0.50);
	s->p90 = stats_percentile(v, n, 0.90);
	s->p99 = stats_percentile(v, n, 0.99);
	s->p999 = stats_percentile(v, n, 0.999);
}

void hist_add(struct histogram *h, double ns)
{
	int i = ns < 1 ? 0 : (int)floor(log10(ns) * HIST_PER_DECADE);

	if (i < 0)
		i = 0;
	if (i >= HIST_BUCKETS)
		i = HIST_BUCKETS - 1;
	h->count[i]++;
}

double hist_bucket_lo(unsigned int i)
{
	return pow(10.0, (double)i / HIST_PER_DECADE);
}

void hist_to_json(const struct histogram *h, struct json *j, const char *key)
{
	unsigned int i;

	json_obj_begin(j, key);
	json_str(j, "scale", "log10");
	json_u64(j, "buckets_per_decade", HIST_PER_DECADE);
	json_str(j, "unit", "ns");
	/* Sparse: [lower edge ns, count] for non-empty buckets. */
	json_arr_begin(j, "buckets");
	for (i = 0; i < HIST_BUCKETS; i++) {
		if (!h->count[i])
			continue;
		json_arr_begin(j, NULL);
		json_double(j, NULL, hist_bucket_lo(i));
		json_u64(j, NULL, h->count[i]);
		json_arr_end(j);
	}
	json_arr_end(j);
	json_obj_end(j);
}

void stats_to_json(const struct sample_stats *s, struct json *j,
		   const char *key)
{
	json_obj_begin(j, key);
	json_u64(j, "n", s->n);
	json_double(j, "mean", s->mean);
	json_double(j, "stddev", s->stddev);
	json_double(j, "min", s->min);
	json_double(j, "p50", s->p50);
	json_double(j, "p90", s->p90);
	json_double(j, "p99", s->p99);
	json_double(j, "p99_9", s->p999);
	json_double(j, "max", s->max);
	json_obj_end(j);
}

/*
 * Regularized incomplete beta I_x(a, b) by its continued fraction
 * (modified Lentz), the standard route to Student's t tail:
 * P(|T| > t) = I_{df/(df+t^2)}(df/2, 1/2).
 */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300, eps = 1e-15;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;
	int m;

	if (fabs(d) < tiny)
		d = tiny;
	d = 1 / d;
	h = d;
	for (m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < eps)
			break;
	}
	return h;
}

static double inc_beta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) +
		    a * log(x) + b * log1p(-x));
	/* The continued fraction converges fast for x < (a+1)/(a+b+2). */
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double student_t_two_sided(double t, double df)
{
	if (!isfinite(t))
		return 0;
	return inc_beta(df / 2, 0.5, df / (df + t * t));
}

double welch_p(double m1, double s1, double n1, double m2, double s2,
	       double n2, double *t, double *df)
{
	double v1 = s1 * s1 / n1, v2 = s2 * s2 / n2, se = sqrt(v1 + v2);
	double tt, dof;

	if (se == 0) {
		if (t)
			*t = m1 == m2 ? 0 : INFINITY;
		if (df)
			*df = n1 + n2 - 2;
		return m1 == m2 ? 1 : 0;
	}
	tt = (m1 - m2) / se;
	dof = (v1 + v2) * (v1 + v2) /
	      (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
	if (t)
		*t = tt;
	if (df)
		*df = dof;
	return student_t_two_sided(tt, dof);
}

/*
 * Student's t quantile: the t with P(T <= t) = p, by bisection on the
 * two-sided tail above (monotone in |t|).  The bracket doubles until it
 * holds the answer; bisection then halves it to 1e-12 relative, well
 * inside the 1e-10 the callers need.
 */
double student_t_quantile(double p, double df)
{
	double tail, lo = 0, hi = 1, mid;
	int i;

	if (!(p > 0 && p < 1) || !(df > 0))
		return NAN;
	if (p == 0.5)
		return 0;
	/* P(|T| > t) for the t we want: twice the upper tail. */
	tail = p > 0.5 ? 2 * (1 - p) : 2 * p;
	while (student_t_two_sided(hi, df) > tail) {
		lo = hi;
		hi *= 2;
		if (hi > 1e300)
			return p > 0.5 ? INFINITY : -INFINITY;
	}
	for (i = 0; i < 2000 && hi - lo > 1e-12 * hi; i++) {
		mid = (lo + hi) / 2;
		if (student_t_two_sided(mid, df) > tail)
			lo = mid;
		else
			hi = mid;
	}
	mid = (lo + hi) / 2;
	return p > 0.5 ? mid : -mid;
}

double welch_df(double var1, double n1, double var2, double n2)
{
	double v1 = var1 / n1, v2 = var2 / n2;

	if (v1 + v2 == 0)
		return n1 + n2 - 2;
	return (v1 + v2) * (v1 + v2) /
	       (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
}

static void mean_var(const double *v, size_t n, double *mean, double *var)
{
	double sum = 0, sq = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += v[i];
	*mean = n ? sum / n : NAN;
	for (i = 0; i < n; i++)
		sq += (v[i] - *mean) * (v[i] - *mean);
	*var = n > 1 ? sq / (n - 1) : NAN;
}

void mean_diff_ci(const double *a, size_t na, const double *b, size_t nb,
		  double alpha, struct mean_diff *d)
{
	double va, vb;

	memset(d, 0, sizeof(*d));
	mean_var(a, na, &d->mean_a, &va);
	mean_var(b, nb, &d->mean_b, &vb);
	d->diff = d->mean_b - d->mean_a;
	if (na < 2 || nb < 2) {
		d->se = d->df = d->t = d->lo = d->hi = NAN;
		return;
	}
	d->se = sqrt(va / na + vb / nb);
	d->df = welch_df(va, na, vb, nb);
	/* Both sides constant: the difference is known exactly. */
	d->t = d->se ? student_t_quantile(1 - alpha / 2, d->df) : 0;
	d->lo = d->diff - d->t * d->se;
	d->hi = d->diff + d->t * d->se;
}

/*
 * Satterthwaite's degrees of freedom of a sum of variance terms v[k],
 * each estimated with df[k] (df[k] <= 0: known exactly, no term in the
 * denominator).
 */
static double satterthwaite_df(const double *v, const double *df,
			       unsigned int n, double fallback)
{
	double sum = 0, den = 0;
	unsigned int k;

	for (k = 0; k < n; k++) {
		sum += v[k];
		if (df[k] > 0)
			den += v[k] * v[k] / df[k];
	}
	if (sum == 0)
		return fallback;
	/* Every term known: the normal quantile, near enough. */
	return den > 0 ? sum * sum / den : 1e6;
}

void run_change_summary(double mean_a, double var_a, size_t na,
			double mean_b, double var_b, size_t nb, double alpha,
			const struct drift *drift, struct run_change *c)
{
	double v[3], df[3], se, t, diff, dsd = 0;

	memset(c, 0, sizeof(*c));
	c->mean_a = mean_a;
	c->mean_b = mean_b;
	diff = mean_b - mean_a;
	c->change_pct = 100 * diff / mean_a;
	if (drift && drift->pct > 0) {
		c->drift_pct = drift->pct;
		dsd = drift->pct / 100 * mean_a;
	}
	if (na < 2 || nb < 2) {
		c->df = c->lo_pct = c->hi_pct = c->noise_pct = NAN;
		c->verdict = VERDICT_NONE_ONE_RUN;
		return;
	}
	/*
	 * Each side is one invocation: its mean carries that invocation's
	 * own offset (sd dsd) beside the run-to-run spread, so the
	 * difference of the two means has both offsets in its variance.
	 */
	v[0] = var_a / na;
	df[0] = na - 1;
	v[1] = var_b / nb;
	df[1] = nb - 1;
	v[2] = 2 * dsd * dsd;
	df[2] = drift ? drift->df : 0;
	se = sqrt(v[0] + v[1] + v[2]);
	c->df = satterthwaite_df(v, df, 3, na + nb - 2);
	/* Both sides constant: the difference is known exactly. */
	t = se ? student_t_quantile(1 - alpha / 2, c->df) : 0;
	c->lo_pct = 100 * (diff - t * se) / mean_a;
	c->hi_pct = 100 * (diff + t * se) / mean_a;
	c->noise_pct = 100 * sqrt(var_a) / mean_a;
	if (!(mean_a > 0) || !(c->lo_pct > 0 || c->hi_pct < 0))
		c->verdict = VERDICT_NONE_CI_SPANS_ZERO;
	else if (fabs(c->change_pct) <= c->noise_pct)
		c->verdict = VERDICT_NONE_BELOW_NOISE;
	else
		c->verdict = c->change_pct > 0 ? VERDICT_SLOWER :
			     VERDICT_FASTER;
}

void run_change_drift(const double *a, size_t na, const double *b,
		      size_t nb, double alpha, const struct drift *drift,
		      struct run_change *c)
{
	double ma, va, mb, vb;

	mean_var(a, na, &ma, &va);
	mean_var(b, nb, &mb, &vb);
	run_change_summary(ma, va, na, mb, vb, nb, alpha, drift, c);
}

void run_change(const double *a, size_t na, const double *b, size_t nb,
		double alpha, struct run_change *c)
{
	run_change_drift(a, na, b, nb, alpha, NULL, c);
}

int drift_estimate(const double *change_pct, const double *se_pct,
		   size_t n, struct drift *d)
{
	double excess = 0;
	size_t i, used = 0;

	d->pct = d->df = 0;
	for (i = 0; i < n; i++) {
		if (!isfinite(change_pct[i]) || !isfinite(se_pct[i]))
			continue;
		excess += change_pct[i] * change_pct[i] -
			  se_pct[i] * se_pct[i];
		used++;
	}
	if (!used)
		return -1;
	/*
	 * E[change^2] = 2 drift^2 + se^2 for an A/A pair (mean change 0):
	 * the mean excess over the within-invocation part, halved.
	 */
	excess /= used;
	d->pct = excess > 0 ? sqrt(excess / 2) : 0;
	d->df = used;
	return 0;
}

static const struct {
	const char *name, *key;
} verdicts[] = {
	[VERDICT_NONE_ONE_RUN] = { "no verdict: one run", "none-one-run" },
	[VERDICT_NONE_CI_SPANS_ZERO] = { "no verdict: interval spans 0",
					 "none-interval-spans-0" },
	[VERDICT_NONE_BELOW_NOISE] = { "no verdict: below A's noise",
				       "none-below-noise" },
	[VERDICT_SLOWER] = { "slower", "slower" },
	[VERDICT_FASTER] = { "faster", "faster" },
};

const char *verdict_name(enum run_verdict v)
{
	return v < ARRAY_SIZE(verdicts) ? verdicts[v].name : "?";
}

const char *verdict_key(enum run_verdict v)
{
	return v < ARRAY_SIZE(verdicts) ? verdicts[v].key : "?";
}

/*
 * c4(n) = E[s] / sigma for n normal values = sqrt(2 / (n - 1))
 * Gamma(n / 2) / Gamma((n - 1) / 2).
 */
double normal_sd_factor(unsigned int n)
{
	if (n < 2)
		return 0;
	return sqrt(2.0 / (n - 1)) * exp(lgamma(n / 2.0) -
					  lgamma((n - 1) / 2.0));
}

double min_detectable_change_pct(double rel_sd_pct, unsigned int runs,
				 double alpha, double *ci_pct,
				 double *noise_pct)
{
	double ci, noise;

	if (runs < 2)
		return NAN;
	ci = student_t_quantile(1 - alpha / 2, 2.0 * (runs - 1)) *
	     sqrt(2.0 / runs) * rel_sd_pct;
	noise = normal_sd_factor(runs) * rel_sd_pct;
	if (ci_pct)
		*ci_pct = ci;
	if (noise_pct)
		*noise_pct = noise;
	return fmax(ci, noise);
}

/* ---- simulated verdicts ------------------------------------------------- */

/* xorshift64*: a fixed stream, so that every call sees the same draws. */
static double sim_uniform(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (((*s * 0x2545f4914f6cdd1dULL) >> 11) + 0.5) * 0x1.0p-53;
}

static double sim_normal(uint64_t *s)
{
	double u = sim_uniform(s), v = sim_uniform(s);

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

double simulated_call_rate_drift(double rel_sd_pct, double drift_pct,
				 const struct drift *judged, unsigned int runs,
				 double alpha, double change_pct,
				 unsigned int trials, bool any_verdict)
{
	double a[SIM_MAX_RUNS], b[SIM_MAX_RUNS], oa, ob;
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	unsigned int t, i, hits = 0;
	struct run_change c;

	if (runs < 2 || runs > SIM_MAX_RUNS || !trials)
		return NAN;
	for (t = 0; t < trials; t++) {
		/* Each side's invocation offset, shared by its runs. */
		oa = drift_pct / 100 * sim_normal(&seed);
		ob = drift_pct / 100 * sim_normal(&seed);
		for (i = 0; i < runs; i++) {
			a[i] = 100 * (1 + oa) *
			       (1 + rel_sd_pct / 100 * sim_normal(&seed));
			b[i] = (100 + change_pct) * (1 + ob) *
			       (1 + rel_sd_pct / 100 * sim_normal(&seed));
		}
		run_change_drift(a, runs, b, runs, alpha, judged, &c);
		hits += any_verdict ? (c.verdict == VERDICT_SLOWER ||
				       c.verdict == VERDICT_FASTER) :
			c.verdict == VERDICT_SLOWER;
	}
	return (double)hits / trials;
}

double simulated_call_rate(double rel_sd_pct, unsigned int runs,
			   double alpha, double change_pct,
			   unsigned int trials, bool any_verdict)
{
	return simulated_call_rate_drift(rel_sd_pct, 0, NULL, runs, alpha,
					 change_pct, trials, any_verdict);
}

double reliable_change_pct(double rel_sd_pct, unsigned int runs,
			   double alpha, double power, unsigned int trials)
{
	double lo = 0, hi = rel_sd_pct > 0 ? rel_sd_pct : 1;
	unsigned int i;

	if (runs < 2 || runs > SIM_MAX_RUNS || !(power > 0 && power < 1))
		return NAN;
	while (simulated_call_rate(rel_sd_pct, runs, alpha, hi, trials,
				   false) < power) {
		lo = hi;
		hi *= 2;
		if (hi > 1e6)
			return INFINITY;
	}
	for (i = 0; i < 40 && hi - lo > 1e-3 * hi; i++) {
		double mid = (lo + hi) / 2;

		if (simulated_call_rate(rel_sd_pct, runs, alpha, mid, trials,
					false) < power)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}
