// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "test_util.h"

#ifndef GMEMSUITE_REV
#define GMEMSUITE_REV "unknown"
#endif

volatile sig_atomic_t bench_interrupted;

static void on_signal(int sig)
{
	if (bench_interrupted)
		_exit(128 + sig);
	bench_interrupted = 1;
}

void bench_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool bench_emulated(const struct host_probe *p)
{
	return strstr(p->cpu_model, "QEMU") || getenv("GMEMSUITE_IN_VM");
}

FILE *bench_open_output(const char *prog, const char *path)
{
	FILE *f;

	if (!strcmp(path, "-"))
		return stdout;
	f = fopen(path, "we");
	if (!f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path,
			strerror(errno));
		exit(2);
	}
	return f;
}

static void load_to_json(struct json *j, const char *key)
{
	char buf[128];

	if (read_file_str("/proc/loadavg", buf, sizeof(buf)))
		json_str(j, key, buf);
}

void bench_json_begin(struct json *j, FILE *f, const char *tool)
{
	const struct host_probe *p = probe_host();
	char when[64];
	time_t t = time(NULL);

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_init(j, f);
	json_obj_begin(j, NULL);
	json_u64(j, "schema", BENCH_SCHEMA);
	json_str(j, "tool", tool);
	json_str(j, "suite_revision", GMEMSUITE_REV);
	json_str(j, "date", when);
	json_bool(j, "emulated", bench_emulated(p));
	load_to_json(j, "loadavg_before");
	probe_to_json(p, j, "host");
}

void bench_json_end(struct json *j)
{
	load_to_json(j, "loadavg_after");
	json_bool(j, "interrupted", bench_interrupted);
	json_obj_end(j);
	fflush(j->f);
}

uint64_t bench_parse_size(const char *prog, const char *opt,
			  const char *val)
{
	uint64_t v;

	if (!parse_size(val, &v) || !v) {
		fprintf(stderr, "%s: %s: bad size '%s' (e.g. 4K, 2M, 1G)\n",
			prog, opt, val);
		exit(2);
	}
	return v;
}

unsigned long bench_parse_uint(const char *prog, const char *opt,
			       const char *val, unsigned long lo,
			       unsigned long hi)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || end == val || *end || v < lo || v > hi) {
		fprintf(stderr, "%s: %s: '%s' is not a number in [%lu, %lu]\n",
			prog, opt, val, lo, hi);
		exit(2);
	}
	return v;
}
