// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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

/* A field of /proc/meminfo in bytes; false if absent. */
static bool meminfo_bytes(const char *field, uint64_t *out)
{
	char line[256];
	size_t n = strlen(field);
	bool found = false;
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kb;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, n) && line[n] == ':' &&
		    sscanf(line + n + 1, "%llu", &kb) == 1) {
			*out = (uint64_t)kb << 10;
			found = true;
		}
	fclose(f);
	return found;
}

/* The host's physical address width (CPUID 0x80000008), 36 if unknown. */
static unsigned int host_phys_bits(void)
{
	uint32_t a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0x80000000));
	if (a < 0x80000008)
		return 36;
	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(0x80000008));
	return a & 0xff;
}

static void __noreturn refuse(const char *prog, const char *opt,
			      uint64_t size, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s %llu (%s): %s\n", prog, opt,
		(unsigned long long)size, human_size(size), why);
	exit(2);
}

const char *human_size(uint64_t v)
{
	static char buf[4][32];
	static unsigned int next;
	static const char units[] = "KMGTPE";
	char *b = buf[next++ % 4];
	int u = -1;
	double d = v;

	while (d >= 1024 && u < 5) {
		d /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(b, 32, "%llu bytes", (unsigned long long)v);
	else
		snprintf(b, 32, "%.4g %ciB", d, units[u]);
	return b;
}

/*
 * Page-table pages the guest needs to map size bytes with leaf pages of
 * leaf bytes (one PT per 2M, one PD per 1G, one PDPT per 512G), from the
 * system slot's pool (lib/x86.c, SYS_POOL_SIZE).
 */
static uint64_t pt_pool_need(uint64_t size, uint64_t leaf)
{
	uint64_t pages = DIV_ROUND_UP(size, 512 * SZ_1G) + 1;

	if (leaf < SZ_1G)
		pages += DIV_ROUND_UP(size, SZ_1G) + 1;
	if (leaf < SZ_2M)
		pages += DIV_ROUND_UP(size, SZ_2M) + 1;
	return pages * SZ_4K;
}

static void check_memory(const char *prog, const char *opt,
			 const struct bench_fit *f, uint64_t hpage);

void bench_check_fit(const char *prog, const char *opt,
		     const struct bench_fit *f)
{
	uint64_t leaf = guest_page_bytes(f->guest_page);
	uint64_t hpage = f->backing == BACKING_HUGETLB_1G ? SZ_1G :
			 f->backing == BACKING_HUGETLB_2M ? SZ_2M : 0;
	unsigned int bits = host_phys_bits();

	if (f->size % SZ_4K)
		refuse(prog, opt, f->size, "not a multiple of 4 KiB");
	if (hpage && f->size % hpage)
		refuse(prog, opt, f->size, "not a whole number of %s hugetlb "
		       "pages", human_size(hpage));
	if (f->size % leaf)
		refuse(prog, opt, f->size, "not a whole number of %s guest "
		       "pages", human_size(leaf));
	if (bits >= 64 || f->size > (1ULL << bits) - TEST_REGION_GPA)
		refuse(prog, opt, f->size, "the guest's physical address "
		       "space ends at %s (%u bits), and the region starts at "
		       "%s", human_size(1ULL << (bits < 64 ? bits : 63)), bits,
		       human_size(TEST_REGION_GPA));
	check_memory(prog, opt, f, hpage);
	if (pt_pool_need(f->size, leaf) > SYS_POOL_SIZE - SYS_POOL_RESERVE)
		refuse(prog, opt, f->size, "mapping it with %s guest pages "
		       "needs %s of guest page tables, over the %s pool "
		       "(larger guest pages need fewer)", human_size(leaf),
		       human_size(pt_pool_need(f->size, leaf)),
		       human_size(SYS_POOL_SIZE - SYS_POOL_RESERVE));
}

static void check_memory(const char *prog, const char *opt,
			 const struct bench_fit *f, uint64_t hpage)
{
	uint64_t avail = 0, limit;

	if (!meminfo_bytes("MemAvailable", &avail))
		return;
	if (hpage) {
		uint64_t free = 0, want = f->size / hpage;
		char path[128];

		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/"
			 "hugepages-%llukB/free_hugepages",
			 (unsigned long long)(hpage >> 10));
		read_file_u64(path, &free);
		/* Free pages, and what the pool could grow by at most. */
		limit = free + avail / hpage;
		if (want > limit)
			refuse(prog, opt, f->size, "needs %llu %s pages; the "
			       "host has %llu free and at most %llu more "
			       "(MemAvailable %s)", (unsigned long long)want,
			       human_size(hpage), (unsigned long long)free,
			       (unsigned long long)(avail / hpage),
			       human_size(avail));
		return;
	}
	if (f->copies > 1 && f->size > avail / f->copies)
		refuse(prog, opt, f->size, "%u copies (shared and private) "
		       "need %s; MemAvailable is %s", f->copies,
		       human_size(f->size * f->copies), human_size(avail));
	if (f->size > avail)
		refuse(prog, opt, f->size, "more than MemAvailable (%s): the "
		       "run would end in an OOM kill", human_size(avail));
	if (meminfo_bytes("CommitLimit", &limit) &&
	    read_file_u64("/proc/sys/vm/overcommit_memory", &avail) &&
	    avail == 2) {
		uint64_t used = 0;

		meminfo_bytes("Committed_AS", &used);
		if (f->size * f->copies > (limit > used ? limit - used : 0))
			refuse(prog, opt, f->size, "vm.overcommit_memory=2 "
			       "and only %s of CommitLimit is left",
			       human_size(limit > used ? limit - used : 0));
	}
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
