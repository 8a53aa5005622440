// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
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

/* A temporary file beside path: "<dir>/.<name>.XXXXXX", opened. */
static int output_tmp(const char *path, char *tmp, size_t len)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash)
		n = snprintf(tmp, len, "%.*s/.%s.XXXXXX",
			     (int)(slash - path), path, slash + 1);
	else
		n = snprintf(tmp, len, ".%s.XXXXXX", path);
	mode_t mask;
	int fd;

	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fd;
	/* mkostemp makes 0600; results are ordinary files. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	return fd;
}

void bench_check_output(const char *prog, const char *path)
{
	struct stat st;
	char tmp[4096];
	int fd;

	if (!path || !strcmp(path, "-"))
		return;
	if (!stat(path, &st) && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: cannot write %s: is a directory\n", prog,
			path);
		exit(2);
	}
	fd = output_tmp(path, tmp, sizeof(tmp));
	if (fd < 0) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path,
			strerror(errno));
		exit(2);
	}
	close(fd);
	unlink(tmp);
}

FILE *bench_open_output(const char *prog, struct bench_output *o,
			const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!strcmp(path, "-")) {
		o->f = stdout;
		return o->f;
	}
	fd = output_tmp(path, o->tmp, sizeof(o->tmp));
	if (fd >= 0)
		o->f = fdopen(fd, "w");
	if (!o->f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path,
			strerror(errno));
		exit(2);
	}
	return o->f;
}

int bench_close_output(const char *prog, struct bench_output *o)
{
	int err = 0;

	if (o->f == stdout)
		return fflush(stdout) ? 2 : 0;
	if (ferror(o->f) || fflush(o->f) || fsync(fileno(o->f)))
		err = errno ? errno : EIO;
	if (fclose(o->f) && !err)
		err = errno;
	if (!err && rename(o->tmp, o->path))
		err = errno;
	if (!err)
		return 0;
	fprintf(stderr, "%s: cannot write %s: %s (the results are in %s)\n",
		prog, o->path, strerror(err), o->tmp);
	return 2;
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
