// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "kvm_json.h"
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

/*
 * Why path cannot be written, in one line, exit 2.  Creating a file in
 * procfs or sysfs fails with ENOENT although the directory is there:
 * say that, not "No such file or directory".
 */
static void __noreturn output_error(const char *prog, const char *path,
				    int err)
{
	char dir[4096], *slash;
	struct statfs fs;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (err == ENOENT && !stat(dir, &st) && S_ISDIR(st.st_mode)) {
		const char *kind = "its file system takes no new files";

		if (!statfs(dir, &fs) && fs.f_type == PROC_SUPER_MAGIC)
			kind = "it is in procfs, where no file can be created";
		else if (!statfs(dir, &fs) && fs.f_type == SYSFS_MAGIC)
			kind = "it is in sysfs, where no file can be created";
		fprintf(stderr, "%s: cannot write %s: the directory %s exists "
			"but %s\n", prog, path, dir, kind);
	} else {
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, path,
			strerror(err));
	}
	exit(2);
}

/*
 * A path that exists and is no regular file (/dev/null, a fifo, a
 * terminal) is written in place: renaming a temporary file over it
 * would replace the device node with a file.
 */
static bool output_in_place(const char *path)
{
	struct stat st;

	return !stat(path, &st) && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
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
	if (output_in_place(path)) {
		if (access(path, W_OK))
			output_error(prog, path, errno);
		return;
	}
	fd = output_tmp(path, tmp, sizeof(tmp));
	if (fd < 0)
		output_error(prog, path, errno);
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
	if (output_in_place(path))
		o->f = fopen(path, "we");
	else if ((fd = output_tmp(path, o->tmp, sizeof(o->tmp))) >= 0)
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
	/* In place (no temporary file): a device or fifo, no fsync. */
	if (ferror(o->f) || fflush(o->f) ||
	    (o->tmp[0] && fsync(fileno(o->f))))
		err = errno ? errno : EIO;
	if (fclose(o->f) && !err)
		err = errno;
	if (!o->tmp[0]) {
		if (!err)
			return 0;
		fprintf(stderr, "%s: cannot write %s: %s\n", prog, o->path,
			strerror(err));
		return 2;
	}
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

/* ---- perf over the measured region ---------------------------------- */

static int perf_ctl = -2, perf_ack = -1;	/* -2: not looked up yet */
static const char *perf_scope = "not counted";

static void perf_give_up(const char *prog, const char *why)
{
	fprintf(stderr, "%s: PERF=1: %s: perf counts the whole process\n",
		prog, why);
	if (perf_ctl >= 0)
		close(perf_ctl);
	if (perf_ack >= 0)
		close(perf_ack);
	perf_ctl = perf_ack = -1;
	perf_scope = "whole process (control fifo unusable)";
}

static void perf_open(const char *prog)
{
	const char *ctl = getenv("GMEMSUITE_PERF_CTL_FIFO");
	const char *ack = getenv("GMEMSUITE_PERF_ACK_FIFO");

	perf_ctl = -1;
	if (!ctl || !ack)
		return;
	/* perf holds both fifos open; without it, ENXIO at once. */
	perf_ctl = open(ctl, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	perf_ack = open(ack, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (perf_ctl < 0 || perf_ack < 0)
		perf_give_up(prog, strerror(errno));
	else
		perf_scope = "measured region";
}

void bench_perf_region(const char *prog, bool on)
{
	const char *cmd = on ? "enable\n" : "disable\n";
	struct pollfd pfd;
	char buf[16];
	ssize_t n;

	if (perf_ctl == -2)
		perf_open(prog);
	if (perf_ctl < 0)
		return;
	if (write(perf_ctl, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		perf_give_up(prog, "writing the control fifo failed");
		return;
	}
	/* perf answers "ack\n" once the counters are switched. */
	pfd.fd = perf_ack;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 5000) != 1) {
		perf_give_up(prog, "no ack from perf within 5 s");
		return;
	}
	n = read(perf_ack, buf, sizeof(buf) - 1);
	if (n < 3 || strncmp(buf, "ack", 3)) {
		perf_give_up(prog, "perf's ack is not 'ack'");
		return;
	}
}

const char *bench_perf_scope(void)
{
	return perf_scope;
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
	/*
	 * A reference result measured from a tree with uncommitted changes
	 * is refused by the scripts unless GMEMSUITE_ALLOW_DIRTY=1: then
	 * the document says so.
	 */
	json_bool(j, "allow_dirty", getenv("GMEMSUITE_ALLOW_DIRTY") &&
		  !strcmp(getenv("GMEMSUITE_ALLOW_DIRTY"), "1"));
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

/* ---- Progress of a long pass ---------------------------------------- */

struct bench_progress {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	const char *prog, *what;
	uint64_t total, per_tick, start_ns;
	unsigned int nr;
	struct kvm_vcpu *vcpus[VM_MAX_VCPUS];
	uint64_t base[VM_MAX_VCPUS];
};

static uint64_t progress_done(const struct bench_progress *p)
{
	uint64_t done = 0;
	unsigned int i;

	/*
	 * The guest bumps its word as it starts each chunk: the chunks
	 * before the last bump are done.
	 */
	for (i = 0; i < p->nr; i++) {
		uint64_t ticks;

		if (!p->vcpus[i]->progress)
			continue;
		ticks = *p->vcpus[i]->progress - p->base[i];
		done += ticks ? (ticks - 1) * p->per_tick : 0;
	}
	return done < p->total ? done : p->total;
}

static void *progress_fn(void *arg)
{
	struct bench_progress *p = arg;
	uint64_t next = p->start_ns + BENCH_PROGRESS_EVERY_S * 1000000000ULL;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct timespec ts;
		uint64_t now = now_ns(), done;
		double secs, rate;

		if (now >= next) {
			done = progress_done(p);
			secs = (now - p->start_ns) / 1e9;
			rate = done / secs;
			fprintf(stderr, "%s: %s: %llu of %llu pages (%.0f%%), "
				"%.0f pages/s, ETA %.0f s\n", p->prog, p->what,
				(unsigned long long)done,
				(unsigned long long)p->total,
				100.0 * done / p->total, rate, rate > 0 ?
				(p->total - done) / rate : 0.0);
			next = now + BENCH_PROGRESS_EVERY_S * 1000000000ULL;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec++;
		pthread_cond_timedwait(&p->cond, &p->lock, &ts);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct bench_progress *bench_progress_start(const char *prog,
					    const char *what, uint64_t total,
					    uint64_t per_tick,
					    struct kvm_vcpu *const *vcpus,
					    unsigned int nr)
{
	struct bench_progress *p = calloc(1, sizeof(*p));
	unsigned int i;

	TEST_ASSERT(p && nr <= VM_MAX_VCPUS, "bench_progress_start");
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	p->prog = prog;
	p->what = what;
	p->total = total ? total : 1;
	p->per_tick = per_tick;
	p->nr = nr;
	for (i = 0; i < nr; i++) {
		p->vcpus[i] = vcpus[i];
		p->base[i] = vcpus[i]->progress ? *vcpus[i]->progress : 0;
	}
	p->start_ns = now_ns();
	TEST_ASSERT(!pthread_create(&p->thread, NULL, progress_fn, p),
		    "progress thread");
	return p;
}

void bench_progress_stop(struct bench_progress *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

/* ---- Progress of a run counted by the program itself ------------------ */

static struct {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool running, stop;
	const char *prog, *what, *unit;
	uint64_t total, start_ns;
	uint64_t done;		/* atomic */
} work = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
};

static void *work_fn(void *arg __attribute__((unused)))
{
	uint64_t next = work.start_ns + BENCH_PROGRESS_EVERY_S * 1000000000ULL;

	pthread_mutex_lock(&work.lock);
	while (!work.stop) {
		struct timespec ts;
		uint64_t now = now_ns(), done;
		double rate;

		if (now >= next) {
			done = __atomic_load_n(&work.done, __ATOMIC_RELAXED);
			rate = done / ((now - work.start_ns) / 1e9);
			fprintf(stderr, "%s: %s: %llu of %llu %s (%.0f%%), %.0f "
				"%s/s, ETA %.0f s\n", work.prog, work.what,
				(unsigned long long)done,
				(unsigned long long)work.total, work.unit,
				100.0 * done / work.total, rate, work.unit,
				rate > 0 && done < work.total ?
				(work.total - done) / rate : 0.0);
			next = now + BENCH_PROGRESS_EVERY_S * 1000000000ULL;
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec++;
		pthread_cond_timedwait(&work.cond, &work.lock, &ts);
	}
	pthread_mutex_unlock(&work.lock);
	return NULL;
}

void bench_work_start(const char *prog, const char *what, const char *unit,
		      uint64_t total)
{
	work.prog = prog;
	work.what = what;
	work.unit = unit;
	work.total = total ? total : 1;
	work.done = 0;
	work.stop = false;
	work.start_ns = now_ns();
	TEST_ASSERT(!pthread_create(&work.thread, NULL, work_fn, NULL),
		    "progress thread");
	work.running = true;
}

void bench_work_add(uint64_t n)
{
	__atomic_add_fetch(&work.done, n, __ATOMIC_RELAXED);
}

void bench_work_stop(void)
{
	if (!work.running)
		return;
	pthread_mutex_lock(&work.lock);
	work.stop = true;
	pthread_cond_signal(&work.cond);
	pthread_mutex_unlock(&work.lock);
	pthread_join(work.thread, NULL);
	work.running = false;
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
