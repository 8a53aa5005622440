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
