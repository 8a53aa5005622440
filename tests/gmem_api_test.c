// SPDX-License-Identifier: GPL-2.0
/*
 * guest_memfd itself: creation flags and sizes, file operations, mmap,
 * fallocate, binding to memslots, and data seen by host and guest.
 * Every expectation is the kernel's documented behaviour (api.rst,
 * virt/kvm/guest_memfd.c); a kernel that differs fails here with what
 * was sent and what came back.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounds.h"
#include "numa.h"
#include "gmem.h"
#include "ktap.h"
#include "kvm_util.h"
#include "probe.h"
#include "processor.h"

#define GMEM_SIZE	(4 * SZ_2M)
#define PATTERN(off)	(0x9e3779b97f4a7c15ULL * ((off) / SZ_4K + 1))

GUEST_CODE_BEGIN

/* Sum of mismatches against PATTERN over every page; then fill ~PATTERN. */
static void guest_check_then_write(uint64_t base, uint64_t size)
{
	uint64_t off, bad = 0;

	for (off = 0; off < size; off += SZ_4K)
		bad += *(volatile uint64_t *)(base + off) != PATTERN(off);
	GUEST_SYNC(bad);
	for (off = 0; off < size; off += SZ_4K)
		*(volatile uint64_t *)(base + off) = ~PATTERN(off);
	GUEST_DONE();
}

static void guest_read_one(uint64_t gpa)
{
	GUEST_SYNC(*(volatile uint64_t *)gpa);
	GUEST_DONE();
}

GUEST_CODE_END

static struct kvm_vm *vm;

/*
 * The VM type and guest_memfd flags a case runs with.  Cases about the
 * file itself run once per configuration the host offers, as upstream's
 * guest_memfd_test does: every type in KVM_CAP_VM_TYPES, each with flags
 * 0, MMAP and MMAP | INIT_SHARED where that type's
 * KVM_CAP_GUEST_MEMFD_FLAGS has them.  Other cases: the default VM.
 */
static struct gmem_cfg {
	unsigned long type;
	uint64_t flags;
} cfg = { KVM_X86_DEFAULT_VM, 0 };

static void vm_default(void)
{
	vm = vm_create(cfg.type);
	TEST_REQUIRE(vm_check_cap(vm, KVM_CAP_GUEST_MEMFD), "%s (%s)",
		     gmem_absent_reason(probe_host()->kernel_release),
		     vm_type_name(cfg.type));
}

#define MAX_CFGS	(3 * 64)

/* Every (VM type, flag set) of this host; 0 when there is no guest_memfd. */
static unsigned int host_cfgs(struct gmem_cfg *out)
{
	uint64_t types = kvm_check_cap(KVM_CAP_VM_TYPES), caps;
	unsigned int n = 0;
	unsigned long t;

	if (!types)		/* before 6.8: the default VM only */
		types = 1ULL << KVM_X86_DEFAULT_VM;
	for (t = 0; t < 64; t++) {
		struct kvm_vm *v;

		if (!(types & (1ULL << t)))
			continue;
		v = __vm_create(t);
		if (!v) {
			test_diag("%s is in KVM_CAP_VM_TYPES (0x%llx) but not "
				  "created here: %s", vm_type_name(t),
				  (unsigned long long)types,
				  errno_name(errno));
			continue;
		}
		if (vm_check_cap(v, KVM_CAP_GUEST_MEMFD)) {
			caps = vm_check_cap(v, KVM_CAP_GUEST_MEMFD_FLAGS);
			out[n++] = (struct gmem_cfg){ t, 0 };
			if (caps & GUEST_MEMFD_FLAG_MMAP)
				out[n++] = (struct gmem_cfg){
					t, GUEST_MEMFD_FLAG_MMAP };
			if (caps & GUEST_MEMFD_FLAG_INIT_SHARED)
				out[n++] = (struct gmem_cfg){
					t, GUEST_MEMFD_FLAG_MMAP |
					GUEST_MEMFD_FLAG_INIT_SHARED };
		}
		vm_free(v);
	}
	return n;
}

static const char *flags_name(uint64_t flags)
{
	return flags == (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED) ?
	       "MMAP|INIT_SHARED" : flags == GUEST_MEMFD_FLAG_MMAP ? "MMAP" :
	       flags ? "other" : "0";
}

/*
 * Run body once per configuration whose flags include want and none of
 * avoid, each in its own child, and report every one; the case fails if
 * any failed and skips only if none ran.
 */
static void for_each_cfg(void (*body)(void), uint64_t want, uint64_t avoid)
{
	struct gmem_cfg all[MAX_CFGS];
	unsigned int i, n = host_cfgs(all), ran = 0, failed = 0;
	char why[256], first_skip[300] = "";

	TEST_REQUIRE(n, "%s (every VM type)",
		     gmem_absent_reason(probe_host()->kernel_release));
	for (i = 0; i < n; i++) {
		int rc;

		if ((all[i].flags & want) != want || (all[i].flags & avoid))
			continue;
		cfg = all[i];
		rc = ktap_subcase(body, why, sizeof(why));
		test_diag("[%s, flags %s] %s%s%s", vm_type_name(cfg.type),
			  flags_name(cfg.flags), rc == KSFT_PASS ? "ok" :
			  rc == KSFT_SKIP ? "skip" : "FAILED",
			  rc == KSFT_SKIP ? ": " : "",
			  rc == KSFT_SKIP ? why : "");
		if (rc == KSFT_SKIP && !first_skip[0])
			snprintf(first_skip, sizeof(first_skip), "%s: %s",
				 vm_type_name(cfg.type), why);
		ran += rc != KSFT_SKIP;
		failed += rc != KSFT_PASS && rc != KSFT_SKIP;
	}
	TEST_ASSERT(!failed, "%u configuration(s) failed (above)", failed);
	TEST_REQUIRE(ran || first_skip[0], "no VM type offers guest_memfd "
		     "flags %s without 0x%llx (KVM_CAP_GUEST_MEMFD_FLAGS)",
		     flags_name(want), (unsigned long long)avoid);
	TEST_REQUIRE(ran, "%s", first_skip);
}

/* A case over every configuration whose flags include want, not avoid. */
#define CFG_CASE(name, want, avoid)					\
static void name(void)							\
{									\
	for_each_cfg(name##_one, want, avoid);				\
}

/* The flags of the configuration, which include need (CFG_CASE's want). */
static uint64_t cfg_flags(uint64_t need)
{
	TEST_ASSERT((cfg.flags & need) == need, "case run with flags 0x%llx, "
		    "needs 0x%llx", (unsigned long long)cfg.flags,
		    (unsigned long long)need);
	return cfg.flags;
}

static uint64_t require_flags(uint64_t flags)
{
	uint64_t have = gmem_supported_flags(vm);

	TEST_REQUIRE((have & flags) == flags,
		     "guest_memfd flags 0x%llx not supported on %s "
		     "(supported: 0x%llx; MMAP and INIT_SHARED are 6.18+)",
		     (unsigned long long)flags, vm_type_name(vm->type),
		     (unsigned long long)have);
	return flags;
}

/* ---- SIGBUS probing ------------------------------------------------------ */

static sigjmp_buf sigbus_jmp;

static void sigbus_handler(int sig __unused)
{
	siglongjmp(sigbus_jmp, 1);
}

/* True if touching addr raises SIGBUS. */
static bool access_sigbus(volatile uint64_t *addr, bool write)
{
	struct sigaction sa = { .sa_handler = sigbus_handler }, old;
	bool bus = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(sigbus_jmp, 1))
		bus = true;
	else if (write)
		*addr = 1;
	else
		(void)*addr;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

/* ---- Creation ------------------------------------------------------------ */

/* Each flag the kernel advertises creates a guest_memfd, alone and all. */
static void create_each_supported_flag_one(void)
{
	uint64_t have, bit;
	int fd;

	vm_default();
	have = gmem_supported_flags(vm);
	test_diag("supported guest_memfd flags on %s: 0x%llx",
		  vm_type_name(vm->type), (unsigned long long)have);
	for (bit = 1; bit; bit <<= 1) {
		if (!(have & bit))
			continue;
		fd = __gmem_create(vm, GMEM_SIZE, bit);
		TEST_ASSERT(fd >= 0, "flag 0x%llx advertised but create "
			    "failed: %s", (unsigned long long)bit,
			    errno_name(-fd));
		close(fd);
	}
	close(gmem_create(vm, GMEM_SIZE, have));
	close(gmem_create(vm, GMEM_SIZE, 0));
	vm_free(vm);
}
CFG_CASE(create_each_supported_flag, 0, GMEM_KNOWN_FLAGS)

/* Every bit the kernel does not advertise is EINVAL, bit by bit. */
static void create_unsupported_flags_einval_one(void)
{
	unsigned int n, rows = 0, wrong = 0;
	uint64_t have;
	char what[32];

	vm_default();
	have = gmem_supported_flags(vm);
	for (n = 0; n < 64; n++) {
		int fd;

		if (have & (1ULL << n))
			continue;
		fd = __gmem_create(vm, GMEM_SIZE, 1ULL << n);
		snprintf(what, sizeof(what), "flag bit %u", n);
		wrong += table_row(rows++, what, EINVAL, fd >= 0 ? 0 : -fd);
		if (fd >= 0)
			close(fd);
	}
	TEST_ASSERT_TABLE(wrong, rows, "unsupported guest_memfd flags");
	vm_free(vm);
}
CFG_CASE(create_unsupported_flags_einval, 0, GMEM_KNOWN_FLAGS)

/* size 0 and sizes that are not page multiples are EINVAL. */
static void create_bad_sizes_einval_one(void)
{
	/* size is __u64 in the uAPI and a loff_t (signed) inside KVM. */
	const struct { uint64_t size; int err; const char *what; } rows[] = {
		{ 0, EINVAL, "0" },
		{ 1, EINVAL, "1" },
		{ SZ_4K - 1, EINVAL, "page - 1" },
		{ SZ_4K, 0, "page" },
		{ SZ_4K + 1, EINVAL, "page + 1" },
		{ SZ_2M - 512, EINVAL, "2M - 512" },
		{ SZ_2M + 8, EINVAL, "2M + 8" },
		{ (1ULL << 63) - SZ_4K, 0, "2^63 - page (largest loff_t)" },
		{ 1ULL << 63, EINVAL, "2^63 (negative as loff_t)" },
		{ (1ULL << 63) + SZ_4K, EINVAL, "2^63 + page (negative)" },
		{ -SZ_4K, EINVAL, "2^64 - page (negative)" },
	};
	unsigned int i, wrong = 0;

	vm_default();
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		int fd = __gmem_create(vm, rows[i].size, cfg.flags);

		wrong += table_row(i, rows[i].what, rows[i].err,
				   fd >= 0 ? 0 : -fd);
		if (fd >= 0)
			close(fd);
	}
	TEST_ASSERT_TABLE(wrong, i, "guest_memfd sizes");
	vm_free(vm);
}
CFG_CASE(create_bad_sizes_einval, 0, 0)

/* fstat: regular file of the requested size, page-sized blocks. */
static void fstat_reports_size_one(void)
{
	struct stat st;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	TEST_ASSERT(!fstat(fd, &st), "fstat");
	TEST_ASSERT_EQ(st.st_size, GMEM_SIZE);
	TEST_ASSERT_EQ(st.st_blksize, getpagesize());
	TEST_ASSERT(S_ISREG(st.st_mode), "st_mode 0%o is not a regular file",
		    st.st_mode);
	close(fd);
	vm_free(vm);
}
CFG_CASE(fstat_reports_size, 0, 0)

/*
 * Several guest_memfds of one VM are distinct files: each keeps its own
 * size (the first re-checked after the second exists) and inode.
 */
static void several_files_distinct_one(void)
{
	struct stat a, b;
	int fa, fb;

	vm_default();
	fa = gmem_create(vm, GMEM_SIZE, cfg.flags);
	fb = gmem_create(vm, 2 * GMEM_SIZE, cfg.flags);
	TEST_ASSERT(!fstat(fa, &a) && !fstat(fb, &b), "fstat");
	TEST_ASSERT_EQ(a.st_size, GMEM_SIZE);
	TEST_ASSERT_EQ(b.st_size, 2 * GMEM_SIZE);
	TEST_ASSERT(a.st_ino != b.st_ino, "two guest_memfds share inode %llu",
		    (unsigned long long)a.st_ino);
	close(fb);
	TEST_ASSERT(!fstat(fa, &a), "fstat");
	TEST_ASSERT_EQ(a.st_size, GMEM_SIZE);
	close(fa);
	vm_free(vm);
}
CFG_CASE(several_files_distinct, 0, 0)

/* read/write/pread/pwrite/ftruncate are refused: no file I/O path. */
static void file_io_refused_one(void)
{
	char buf[64] = { 0 };
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	TEST_ASSERT(read(fd, buf, sizeof(buf)) < 0, "read() succeeded");
	TEST_ASSERT(write(fd, buf, sizeof(buf)) < 0, "write() succeeded");
	TEST_ASSERT(pread(fd, buf, sizeof(buf), 0) < 0, "pread() succeeded");
	TEST_ASSERT(pwrite(fd, buf, sizeof(buf), 0) < 0, "pwrite() succeeded");
	TEST_ASSERT(ftruncate(fd, SZ_4K) < 0, "ftruncate() succeeded");
	close(fd);
	vm_free(vm);
}
CFG_CASE(file_io_refused, 0, 0)

/* ---- mmap --------------------------------------------------------------- */

/* Without GUEST_MEMFD_FLAG_MMAP the file cannot be mapped (ENODEV). */
static void mmap_without_flag_enodev_one(void)
{
	void *p;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	p = __gmem_mmap(fd, GMEM_SIZE, 0);
	TEST_ASSERT(p == MAP_FAILED && errno == ENODEV,
		    "mmap without GUEST_MEMFD_FLAG_MMAP: expected ENODEV, got "
		    "%s", p == MAP_FAILED ? errno_name(errno) : "a mapping");
	close(fd);
	vm_free(vm);
}
CFG_CASE(mmap_without_flag_enodev, 0, GUEST_MEMFD_FLAG_MMAP)

/* MAP_PRIVATE is refused even with the flag: no CoW of guest memory. */
static void mmap_private_einval_one(void)
{
	void *p;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP));
	p = mmap(NULL, GMEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	TEST_ASSERT(p == MAP_FAILED && errno == EINVAL,
		    "MAP_PRIVATE: expected EINVAL, got %s",
		    p == MAP_FAILED ? errno_name(errno) : "a mapping");
	close(fd);
	vm_free(vm);
}
CFG_CASE(mmap_private_einval, GUEST_MEMFD_FLAG_MMAP, 0)

/* Shared mapping: written data reads back; fresh pages read as zero. */
static void mmap_shared_read_write_one(void)
{
	uint64_t *p, off;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP |
						 GUEST_MEMFD_FLAG_INIT_SHARED));
	p = gmem_mmap(fd, GMEM_SIZE, 0);
	for (off = 0; off < GMEM_SIZE; off += SZ_4K)
		TEST_ASSERT_EQ(p[off / 8], 0);
	for (off = 0; off < GMEM_SIZE; off += SZ_4K)
		p[off / 8] = PATTERN(off);
	for (off = 0; off < GMEM_SIZE; off += SZ_4K)
		TEST_ASSERT_EQ(p[off / 8], PATTERN(off));
	munmap(p, GMEM_SIZE);
	/* A new mapping sees the same pages. */
	p = gmem_mmap(fd, GMEM_SIZE, 0);
	for (off = 0; off < GMEM_SIZE; off += SZ_4K)
		TEST_ASSERT_EQ(p[off / 8], PATTERN(off));
	munmap(p, GMEM_SIZE);
	close(fd);
	vm_free(vm);
}
CFG_CASE(mmap_shared_read_write, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0)

/* Touching a mapping past the file size is SIGBUS, inside it is fine. */
static void mmap_beyond_size_sigbus_one(void)
{
	char *p;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP |
						 GUEST_MEMFD_FLAG_INIT_SHARED));
	p = gmem_mmap(fd, GMEM_SIZE + SZ_2M, 0);
	TEST_ASSERT(!access_sigbus((uint64_t *)(p + GMEM_SIZE - SZ_4K), true),
		    "SIGBUS on the last page inside the file");
	TEST_ASSERT(access_sigbus((uint64_t *)(p + GMEM_SIZE), false),
		    "no SIGBUS reading the first page past the file size");
	TEST_ASSERT(access_sigbus((uint64_t *)(p + GMEM_SIZE + SZ_4K), true),
		    "no SIGBUS writing past the file size");
	munmap(p, GMEM_SIZE + SZ_2M);
	close(fd);
	vm_free(vm);
}
CFG_CASE(mmap_beyond_size_sigbus, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0)

/*
 * Without INIT_SHARED the pages start private (api.rst: "memory created
 * without INIT_SHARED will be marked private"): the host's mapping of
 * them faults with SIGBUS, on every VM type (6.18, 7.3 and the in-place
 * series alike; 6.1 has no MMAP flag).
 */
static void mmap_without_init_shared_one(void)
{
	uint64_t *p;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP));
	p = gmem_mmap(fd, GMEM_SIZE, 0);
	TEST_ASSERT(access_sigbus(p, false), "host read of a MMAP-only (no "
		    "INIT_SHARED) guest_memfd on %s succeeded: its pages "
		    "should start private", vm_type_name(vm->type));
	TEST_ASSERT(access_sigbus(p + GMEM_SIZE / 8 - 1, true), "host write "
		    "to its last page succeeded");
	munmap(p, GMEM_SIZE);
	close(fd);
	vm_free(vm);
}
CFG_CASE(mmap_without_init_shared, GUEST_MEMFD_FLAG_MMAP, GUEST_MEMFD_FLAG_INIT_SHARED)

/*
 * madvise on a guest_memfd mapping at a PMD-aligned address and offset:
 * MADV_HUGEPAGE is accepted, MADV_COLLAPSE refused with EINVAL (a huge
 * folio could map beyond the shared ranges into the host's page tables),
 * MADV_DONTNEED drops the mapping and the next read faults back the
 * same (zero) data.
 */
static void madvise_collapse_refused_one(void)
{
	char *reserve, *mem;
	uint64_t i;
	int fd, r;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP |
						 GUEST_MEMFD_FLAG_INIT_SHARED));
	reserve = mmap(NULL, 2 * SZ_2M, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(reserve != MAP_FAILED, "mmap reserve");
	mem = mmap((void *)ALIGN_UP((uintptr_t)reserve, SZ_2M), SZ_2M,
		   PROT_READ | PROT_WRITE, MAP_FIXED | MAP_SHARED, fd, 0);
	TEST_ASSERT(mem != MAP_FAILED, "mmap guest_memfd at a 2M address");
	/* Reads only: clean folios, as a collapse would want them. */
	for (i = 0; i < SZ_2M; i += SZ_4K)
		TEST_ASSERT_EQ(((volatile char *)mem)[i], 0);
	TEST_ASSERT_ERRNO(madvise(mem, SZ_2M, MADV_HUGEPAGE) ? errno : 0, 0,
			  "MADV_HUGEPAGE");
	r = madvise(mem, SZ_2M, MADV_COLLAPSE) ? errno : 0;
	TEST_ASSERT(r == EINVAL, "MADV_COLLAPSE on a guest_memfd mapping: %s, "
		    "expected EINVAL", errno_name(r));
	TEST_ASSERT_ERRNO(madvise(mem, SZ_2M, MADV_DONTNEED) ? errno : 0, 0,
			  "MADV_DONTNEED");
	TEST_ASSERT_EQ(((volatile char *)mem)[0], 0);
	munmap(reserve, 2 * SZ_2M);
	close(fd);
	vm_free(vm);
}
CFG_CASE(madvise_collapse_refused, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0)

/* ---- fallocate ---------------------------------------------------------- */

/*
 * What fallocate(2) on a guest_memfd of GMEM_SIZE answers, from the
 * arguments' loff_t type: vfs_fallocate() refuses a negative offset or a
 * length <= 0 (EINVAL) and a sum that overflows a loff_t (EFBIG); then
 * kvm_gmem_fallocate() refuses unaligned ranges and allocation past the
 * file's size (it never grows); a punch past the size is a no-op.
 */
static int falloc_expect(bool punch, uint64_t off, uint64_t len)
{
	if ((int64_t)off < 0 || (int64_t)len <= 0)
		return EINVAL;
	if ((int64_t)(off + len) < 0)
		return EFBIG;
	if (off % SZ_4K || len % SZ_4K)
		return EINVAL;
	if (!punch && off + len > GMEM_SIZE)
		return EINVAL;
	return 0;
}

/*
 * Modes by example (only KEEP_SIZE and PUNCH_HOLE | KEEP_SIZE exist),
 * then every offset {0, 1, page} with every length {1, page - 1, page,
 * page + 1}, then offset and length at every edge of their type
 * (lib/kvm/bounds.c), for allocation and for punching.  Every row is
 * reported.
 */
static void fallocate_ranges_and_modes_one(void)
{
	const int keep = FALLOC_FL_KEEP_SIZE;
	const int punch = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
	const struct { int mode; const char *what; } modes[] = {
		{ 0, "mode 0 (would change the size)" },
		{ FALLOC_FL_PUNCH_HOLE, "punch without KEEP_SIZE" },
		{ FALLOC_FL_COLLAPSE_RANGE, "collapse" },
		{ FALLOC_FL_ZERO_RANGE | keep, "zero range" },
		{ FALLOC_FL_INSERT_RANGE, "insert range" },
	};
	struct bound_row rows[BOUND_ROWS_MAX];
	unsigned int i, m, nr, n = 0, wrong = 0, past_size = 0;
	char what[160];
	int fd, err;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	for (i = 0; i < ARRAY_SIZE(modes); i++, n++) {
		snprintf(what, sizeof(what), "%s (mode 0x%x)", modes[i].what,
			 modes[i].mode);
		wrong += table_row(n, what, EOPNOTSUPP,
				   __gmem_fallocate(fd, modes[i].mode, 0,
						    SZ_4K));
	}
	/* Near a page: offsets {0, 1, page} x lengths {1, page-1, page, +1}. */
	for (m = 0; m < 2; m++) {
		const uint64_t offs[] = { 0, 1, SZ_4K };
		const uint64_t lens[] = { 1, SZ_4K - 1, SZ_4K, SZ_4K + 1 };
		unsigned int o, l;

		for (o = 0; o < ARRAY_SIZE(offs); o++)
			for (l = 0; l < ARRAY_SIZE(lens); l++, n++) {
				snprintf(what, sizeof(what), "%s: offset 0x%llx, "
					 "length 0x%llx", m ? "punch" :
					 "allocate",
					 (unsigned long long)offs[o],
					 (unsigned long long)lens[l]);
				wrong += table_row(n, what,
						   falloc_expect(m, offs[o],
								 lens[l]),
						   __gmem_fallocate(fd, m ? punch :
								    keep,
								    offs[o],
								    lens[l]));
			}
	}
	nr = bound_rows(0, GMEM_SIZE, SZ_4K, rows);
	for (m = 0; m < 2; m++) {
		for (i = 0; i < nr; i++, n++) {
			int want = falloc_expect(m, rows[i].off, rows[i].size);

			snprintf(what, sizeof(what), "%s: %s (0x%llx, 0x%llx)",
				 m ? "punch" : "allocate", rows[i].what,
				 (unsigned long long)rows[i].off,
				 (unsigned long long)rows[i].size);
			/*
			 * A kernel that allocated past i_size once would
			 * allocate all of a 2^63-byte range: report the row,
			 * do not send it.
			 */
			/* Refused for the file's size alone: punch passes. */
			if (!m && past_size && want &&
			    !falloc_expect(true, rows[i].off, rows[i].size) &&
			    rows[i].size > 4 * GMEM_SIZE) {
				test_diag("row %u %s: not sent (row %u "
					  "allocated past the file's size: "
					  "this one would allocate more than "
					  "2^%u bytes)",
					  n, what, past_size - 1,
					  63 - __builtin_clzll(rows[i].size));
				continue;
			}
			err = __gmem_fallocate(fd, m ? punch : keep,
					       rows[i].off, rows[i].size);
			wrong += table_row(n, what, want, err);
			if (!m && want && !err && !past_size)
				past_size = n + 1;
		}
	}
	TEST_ASSERT_TABLE(wrong, n, "fallocate ranges and modes");
	close(fd);
	vm_free(vm);
}
CFG_CASE(fallocate_ranges_and_modes, 0, 0)

/* The file's allocated pages in [off, +len), cachestat(2). */
static long allocated(int fd, uint64_t off, uint64_t len)
{
	long n = gmem_cached_pages(fd, off, len);

	TEST_REQUIRE(n != -ENOSYS, "cachestat(2) absent (6.5+, "
		     "CONFIG_CACHESTAT_SYSCALL): allocation not observable");
	TEST_ASSERT(n >= 0, "cachestat on a guest_memfd: %s",
		    errno_name(-n));
	return n;
}

/*
 * fallocate allocates exactly the range asked (cachestat counts the
 * file's pages), a second allocation of it adds none, and PUNCH_HOLE
 * frees exactly the punched pages; a fresh file has none.
 */
static void fallocate_allocates_exactly_one(void)
{
	const uint64_t a = SZ_2M - 3 * SZ_4K, len = 7 * SZ_4K;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	TEST_ASSERT_EQ(allocated(fd, 0, GMEM_SIZE), 0);
	gmem_allocate(fd, a, len);
	TEST_ASSERT_EQ(allocated(fd, 0, GMEM_SIZE), len / SZ_4K);
	TEST_ASSERT_EQ(allocated(fd, a, len), len / SZ_4K);
	gmem_allocate(fd, 0, SZ_2M);
	TEST_ASSERT_EQ(allocated(fd, 0, GMEM_SIZE), (SZ_2M + 4 * SZ_4K) /
		       SZ_4K);
	gmem_punch_hole(fd, SZ_2M - SZ_4K, 2 * SZ_4K);
	TEST_ASSERT_EQ(allocated(fd, 0, GMEM_SIZE), (SZ_2M + 2 * SZ_4K) /
		       SZ_4K);
	TEST_ASSERT_EQ(allocated(fd, SZ_2M - SZ_4K, 2 * SZ_4K), 0);
	gmem_punch_hole(fd, 0, GMEM_SIZE);
	TEST_ASSERT_EQ(allocated(fd, 0, GMEM_SIZE), 0);
	close(fd);
	vm_free(vm);
}
CFG_CASE(fallocate_allocates_exactly, 0, 0)

/*
 * Punching a hole zeroes exactly the punched pages, no more; the host
 * can then write the hole again through the same mapping.
 */
static void punch_hole_zeroes_exactly_one(void)
{
	uint64_t *p, off, hole = SZ_2M + 3 * SZ_4K, hole_len = 2 * SZ_4K;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP |
						 GUEST_MEMFD_FLAG_INIT_SHARED));
	p = gmem_mmap(fd, GMEM_SIZE, 0);
	for (off = 0; off < GMEM_SIZE; off += 8)
		p[off / 8] = PATTERN(off) ^ off;
	gmem_punch_hole(fd, hole, hole_len);
	for (off = 0; off < GMEM_SIZE; off += 8) {
		uint64_t want = off >= hole && off < hole + hole_len ? 0 :
				PATTERN(off) ^ off;

		if (p[off / 8] != want)
			TEST_FAIL("offset 0x%llx after punching [0x%llx, "
				  "0x%llx): 0x%llx, expected 0x%llx",
				  (unsigned long long)off,
				  (unsigned long long)hole,
				  (unsigned long long)(hole + hole_len),
				  (unsigned long long)p[off / 8],
				  (unsigned long long)want);
	}
	/* The hole takes new data through the same mapping, and keeps it. */
	for (off = hole; off < hole + hole_len; off += 8)
		p[off / 8] = ~off;
	for (off = hole; off < hole + hole_len; off += 8)
		TEST_ASSERT(p[off / 8] == ~off, "offset 0x%llx rewritten after "
			    "the punch reads 0x%llx", (unsigned long long)off,
			    (unsigned long long)p[off / 8]);
	munmap(p, GMEM_SIZE);
	close(fd);
	vm_free(vm);
}
CFG_CASE(punch_hole_zeroes_exactly, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0)

/* ---- Binding ------------------------------------------------------------ */

static int bind(struct kvm_vm *v, uint32_t slot, uint64_t gpa, uint64_t size,
		int fd, uint64_t off)
{
	return __vm_set_user_memory_region2(v, slot, KVM_MEM_GUEST_MEMFD, gpa,
					    size, NULL, fd, off);
}

/*
 * Binding offsets and sizes at every edge of their type (lib/kvm/bounds.c):
 * unaligned, empty, past the file, past what a loff_t holds, and sums
 * that wrap unsigned or turn negative as loff_t are EINVAL; the ranges
 * inside the file bind (and are deleted again).  Every row is reported.
 */
static void bind_bad_offsets_einval_one(void)
{
	struct bound_row rows[BOUND_ROWS_MAX];
	unsigned int i, n, wrong = 0;
	int fd, r;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	n = bound_rows(0, GMEM_SIZE, SZ_4K, rows);
	for (i = 0; i < n; i++) {
		r = bind(vm, 10, TEST_REGION_GPA, rows[i].size, fd,
			 rows[i].off);
		wrong += table_row(i, rows[i].what, rows[i].in_range ? 0 :
				   EINVAL, r);
		if (!r)
			bind(vm, 10, TEST_REGION_GPA, 0, fd, 0);
	}
	TEST_ASSERT_TABLE(wrong, n, "guest_memfd binding offsets and sizes");
	TEST_ASSERT_ERRNO(bind(vm, 10, TEST_REGION_GPA, GMEM_SIZE, fd, 0), 0,
			  "binding the whole file");
	close(fd);
	vm_free(vm);
}
CFG_CASE(bind_bad_offsets_einval, 0, 0)

/*
 * Two memslots cannot bind the same guest_memfd range.  api.rst names no
 * errno: 6.8 .. 6.18 refuse in kvm_gmem_bind() with EINVAL, 7.3 in
 * kvm_gmem_commit_memory_region() with EEXIST.  Either way the refused
 * memslot must not exist afterwards.
 */
static void bind_overlapping_range_refused_one(void)
{
	int fd, r;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	TEST_ASSERT_ERRNO(bind(vm, 10, TEST_REGION_GPA, SZ_2M, fd, 0), 0,
			  "first binding");
	r = bind(vm, 11, TEST_REGION_GPA + SZ_1G, SZ_2M, fd, SZ_4K);
	test_diag("overlapping binding refused with %s", errno_name(r));
	TEST_ASSERT(r == EEXIST || r == EINVAL, "second binding overlapping "
		    "the first in the file: expected EEXIST (7.x) or EINVAL "
		    "(<= 6.18), got %s", errno_name(r));
	/* Slot 11 was not created: the same GPA binds elsewhere now. */
	TEST_ASSERT_ERRNO(bind(vm, 11, TEST_REGION_GPA + SZ_1G, SZ_2M, fd,
			       SZ_2M), 0, "adjacent binding in slot 11");
	vm_free(vm);
	close(fd);
}
CFG_CASE(bind_overlapping_range_refused, 0, 0)

/* A guest_memfd belongs to its VM; other fds are not guest_memfds. */
static void bind_foreign_fds_einval(void)
{
	struct kvm_vm *other;
	int fd, memfd;

	vm_default();
	other = vm_create(KVM_X86_DEFAULT_VM);
	fd = gmem_create(other, GMEM_SIZE, 0);
	memfd = memfd_create("not-gmem", MFD_CLOEXEC);
	TEST_ASSERT(memfd >= 0 && !ftruncate(memfd, GMEM_SIZE), "memfd");
	TEST_ASSERT_ERRNO(bind(vm, 10, TEST_REGION_GPA, SZ_2M, fd, 0), EINVAL,
			  "guest_memfd of another VM");
	TEST_ASSERT_ERRNO(bind(vm, 10, TEST_REGION_GPA, SZ_2M, memfd, 0),
			  EINVAL, "a memfd that is not a guest_memfd");
	TEST_ASSERT_ERRNO(bind(vm, 10, TEST_REGION_GPA, SZ_2M, vm->fd, 0),
			  EINVAL, "the VM fd itself");
	TEST_ASSERT_ERRNO(bind(vm, 10, TEST_REGION_GPA, SZ_2M, 1 << 20, 0),
			  EBADF, "an fd number that is not open");
	close(memfd);
	close(fd);
	vm_free(other);
	vm_free(vm);
}

/* KVM_MEM_READONLY cannot be combined with guest_memfd. */
static void bind_readonly_einval_one(void)
{
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	TEST_ASSERT_ERRNO(__vm_set_user_memory_region2(vm, 10,
			  KVM_MEM_GUEST_MEMFD | KVM_MEM_READONLY,
			  TEST_REGION_GPA, SZ_2M, NULL, fd, 0), EINVAL,
			  "KVM_MEM_READONLY | KVM_MEM_GUEST_MEMFD");
	close(fd);
	vm_free(vm);
}
CFG_CASE(bind_readonly_einval, 0, 0)

/* Memslots overlapping in GPA space are EEXIST, guest_memfd or not. */
static void memslot_gpa_overlap_eexist_one(void)
{
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	TEST_ASSERT_ERRNO(bind(vm, 10, TEST_REGION_GPA, SZ_2M, fd, 0), 0,
			  "first memslot");
	TEST_ASSERT_ERRNO(bind(vm, 11, TEST_REGION_GPA + SZ_4K, SZ_2M, fd,
			       SZ_2M), EEXIST, "memslot overlapping in GPA");
	close(fd);
	vm_free(vm);
}
CFG_CASE(memslot_gpa_overlap_eexist, 0, 0)

/*
 * guest_phys_addr and memory_size of a plain memslot at every edge of
 * their type (lib/kvm/bounds.c around a free 2M window at 8 GiB).  KVM
 * refuses an unaligned address or size, a size of 0 for a slot that does
 * not exist (a delete), more than KVM_MEM_MAX_NR_PAGES pages, a sum that
 * wraps, and a slot ending past the largest gfn the MMU maps (at most
 * 2^52 pages of 4K; no row lies between the window and 2^52, so the
 * host's MAXPHYADDR cannot change an answer).  The window's end + one
 * page binds too: KVM only checks that the host range is user memory.
 */
#define SLOT_WINDOW_GPA	(8 * SZ_1G)
#define MEM_MAX_NR_PAGES	((1ULL << 31) - 1)

static int memslot_expect(uint64_t gpa, uint64_t size)
{
	if (!size || gpa % SZ_4K || size % SZ_4K)
		return EINVAL;
	if (size / SZ_4K > MEM_MAX_NR_PAGES || bound_wraps(gpa, size))
		return EINVAL;
	return gpa + size > 1ULL << 52 ? EINVAL : 0;
}

static void memslot_gpa_size_table(void)
{
	struct bound_row rows[BOUND_ROWS_MAX];
	unsigned int i, nr, wrong = 0;
	size_t len = SZ_2M + SZ_4K;
	char what[120];
	void *hva;
	int r;

	vm_default();
	hva = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	TEST_ASSERT(hva != MAP_FAILED, "mmap %zu bytes", len);
	nr = bound_rows(SLOT_WINDOW_GPA, SZ_2M, SZ_4K, rows);
	for (i = 0; i < nr; i++) {
		r = __vm_set_user_memory_region2(vm, 20, 0, rows[i].off,
						 rows[i].size, hva, -1, 0);
		snprintf(what, sizeof(what), "%s (gpa 0x%llx, size 0x%llx)",
			 rows[i].what, (unsigned long long)rows[i].off,
			 (unsigned long long)rows[i].size);
		wrong += table_row(i, what, memslot_expect(rows[i].off,
							   rows[i].size), r);
		if (!r)
			TEST_ASSERT_ERRNO(__vm_set_user_memory_region2(vm, 20,
					  0, rows[i].off, 0, hva, -1, 0), 0,
					  "deleting the slot just added");
	}
	TEST_ASSERT_TABLE(wrong, nr, "memslot guest_phys_addr and "
			  "memory_size");
	munmap(hva, len);
	vm_free(vm);
}

/* ---- NUMA policy and placement ------------------------------------------ */

static uint64_t *numa_gmem_map(int *fd)
{
	vm_default();
	*fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP));
	return gmem_mmap(*fd, GMEM_SIZE, 0);
}

#define NPAGES	((unsigned int)(GMEM_SIZE / SZ_4K))

static unsigned int lowest_node(uint64_t mask)
{
	return mask ? __builtin_ctzll(mask) : 0;
}

/*
 * mbind on a guest_memfd mapping with every policy mode, and what
 * get_mempolicy(MPOL_F_ADDR) reports back for it: the policy set.
 * Refused (EINVAL): BIND or INTERLEAVE with no node, a node that is not
 * online, an unknown mode.  Every row is reported.
 */
static void mbind_policies_on_gmem_mapping_one(void)
{
	const uint64_t online = numa_online_mask();
	const uint64_t first = 1ULL << lowest_node(online);
	const uint64_t offline = ~online & -~online;	/* lowest offline */
	const struct {
		int mode;
		uint64_t mask;
		int err;
		const char *what;
	} rows[] = {
		{ GM_MPOL_DEFAULT, 0, 0, "DEFAULT" },
		{ GM_MPOL_BIND, first, 0, "BIND, first online node" },
		{ GM_MPOL_PREFERRED, first, 0, "PREFERRED, first online node" },
		{ GM_MPOL_INTERLEAVE, online, 0, "INTERLEAVE, every online node" },
		{ GM_MPOL_BIND, 0, EINVAL, "BIND, no node" },
		{ GM_MPOL_INTERLEAVE, 0, EINVAL, "INTERLEAVE, no node" },
		{ GM_MPOL_BIND, offline, EINVAL, "BIND, a node not online" },
		{ 99, first, EINVAL, "mode 99 (unknown)" },
	};
	unsigned int i, wrong = 0;
	uint64_t *p, got_mask;
	char what[120];
	int fd, err, got_mode;

	TEST_REQUIRE(online, "no NUMA node list (/sys/devices/system/node/"
		     "online): kernel without CONFIG_NUMA");
	test_diag("online nodes: mask 0x%llx", (unsigned long long)online);
	p = numa_gmem_map(&fd);
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		err = gm_mbind(p, GMEM_SIZE, rows[i].mode, rows[i].mask);
		snprintf(what, sizeof(what), "%s (mode %d, mask 0x%llx)",
			 rows[i].what, rows[i].mode,
			 (unsigned long long)rows[i].mask);
		wrong += table_row(i, what, rows[i].err, err);
		if (err || rows[i].err)
			continue;
		err = gm_get_mempolicy_addr(p + 8, &got_mode, &got_mask);
		if (err || got_mode != rows[i].mode ||
		    got_mask != rows[i].mask) {
			test_diag("  get_mempolicy: %s, mode %d mask 0x%llx  "
				  "<-- WRONG", errno_name(err), got_mode,
				  (unsigned long long)got_mask);
			wrong++;
		}
	}
	TEST_ASSERT_TABLE(wrong, i, "mbind policies on a guest_memfd mapping");
	munmap(p, GMEM_SIZE);
	close(fd);
	vm_free(vm);
}
CFG_CASE(mbind_policies_on_gmem_mapping, GUEST_MEMFD_FLAG_MMAP, 0)

/*
 * Count the pages of [p, +GMEM_SIZE) on each node (move_pages); the first
 * page not on node (pages below split) or node2 (from split on).
 */
static void page_nodes_split(uint64_t *p, unsigned int *per_node,
			     unsigned int *first_wrong, unsigned int node,
			     unsigned int split, unsigned int node2)
{
	unsigned int n = GMEM_SIZE / SZ_4K, i;
	void *pages[GMEM_SIZE / SZ_4K];
	int status[GMEM_SIZE / SZ_4K];

	for (i = 0; i < n; i++)
		pages[i] = (char *)p + i * SZ_4K;
	TEST_ASSERT_ERRNO(gm_page_nodes(pages, n, status), 0,
			  "move_pages (query)");
	memset(per_node, 0, 64 * sizeof(*per_node));
	*first_wrong = n;
	for (i = 0; i < n; i++) {
		TEST_ASSERT(status[i] >= 0 && status[i] < 64, "page %u: "
			    "move_pages status %d", i, status[i]);
		per_node[status[i]]++;
		if ((unsigned int)status[i] != (i < split ? node : node2) &&
		    *first_wrong == n)
			*first_wrong = i;
	}
}

static void page_nodes(uint64_t *p, unsigned int *per_node,
		       unsigned int *first_wrong, unsigned int node)
{
	page_nodes_split(p, per_node, first_wrong, node, NPAGES, node);
}

/*
 * Where guest_memfd pages land: BIND to each of two nodes puts every
 * page on that node; BIND of the file's first half to one node and its
 * second half to the other splits the file between them; INTERLEAVE over
 * both puts pages on both.  Pages are allocated by host writes through
 * the INIT_SHARED mapping.
 */
static void pages_land_where_mbind_says_one(void)
{
	const uint64_t online = numa_online_mask();
	unsigned int nodes[2], per_node[64], wrong, i, k;
	uint64_t *p;
	int fd;

	TEST_REQUIRE(__builtin_popcountll(online) >= 2, "placement needs two "
		     "NUMA nodes online (mask 0x%llx; vmcheck boots with "
		     "numa=fake=2)", (unsigned long long)online);
	nodes[0] = lowest_node(online);
	nodes[1] = lowest_node(online & ~(1ULL << nodes[0]));
	for (k = 0; k < 2; k++) {
		p = numa_gmem_map(&fd);
		TEST_ASSERT_ERRNO(gm_mbind(p, GMEM_SIZE, GM_MPOL_BIND,
					   1ULL << nodes[k]), 0, "mbind BIND");
		for (i = 0; i < GMEM_SIZE / 8; i += SZ_4K / 8)
			p[i] = i;
		page_nodes(p, per_node, &wrong, nodes[k]);
		test_diag("BIND node %u: %u of %u pages there", nodes[k],
			  per_node[nodes[k]], (unsigned int)NPAGES);
		TEST_ASSERT(wrong == NPAGES, "BIND to node %u: page "
			    "%u (and %u more) on another node: guest_memfd "
			    "did not follow the mapping's policy", nodes[k],
			    wrong, (unsigned int)NPAGES - per_node[nodes[k]] - 1);
		munmap(p, GMEM_SIZE);
		close(fd);
		vm_free(vm);
	}
	p = numa_gmem_map(&fd);
	TEST_ASSERT_ERRNO(gm_mbind(p, GMEM_SIZE / 2, GM_MPOL_BIND,
				   1ULL << nodes[0]), 0, "mbind first half");
	TEST_ASSERT_ERRNO(gm_mbind(p + GMEM_SIZE / 16, GMEM_SIZE / 2,
				   GM_MPOL_BIND, 1ULL << nodes[1]), 0,
			  "mbind second half");
	for (i = 0; i < GMEM_SIZE / 8; i += SZ_4K / 8)
		p[i] = i;
	page_nodes_split(p, per_node, &wrong, nodes[0], NPAGES / 2, nodes[1]);
	test_diag("halves bound to nodes %u and %u: %u and %u pages there",
		  nodes[0], nodes[1], per_node[nodes[0]], per_node[nodes[1]]);
	TEST_ASSERT(wrong == NPAGES, "page %u of a file whose first half is "
		    "bound to node %u and second half to node %u is on the "
		    "wrong node", wrong, nodes[0], nodes[1]);
	munmap(p, GMEM_SIZE);
	close(fd);
	vm_free(vm);
	p = numa_gmem_map(&fd);
	TEST_ASSERT_ERRNO(gm_mbind(p, GMEM_SIZE, GM_MPOL_INTERLEAVE,
				   (1ULL << nodes[0]) | (1ULL << nodes[1])),
			  0, "mbind INTERLEAVE");
	for (i = 0; i < GMEM_SIZE / 8; i += SZ_4K / 8)
		p[i] = i;
	page_nodes(p, per_node, &wrong, nodes[0]);
	test_diag("INTERLEAVE: node %u %u pages, node %u %u pages", nodes[0],
		  per_node[nodes[0]], nodes[1], per_node[nodes[1]]);
	TEST_ASSERT(per_node[nodes[0]] && per_node[nodes[1]], "INTERLEAVE "
		    "over nodes %u and %u left one of them without pages",
		    nodes[0], nodes[1]);
	munmap(p, GMEM_SIZE);
	close(fd);
	vm_free(vm);
}
CFG_CASE(pages_land_where_mbind_says, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0)

/*
 * A policy set after allocation moves nothing (no MPOL_MF_MOVE); pages
 * allocated again after PUNCH_HOLE follow the new policy.
 */
static void policy_change_applies_to_new_pages_one(void)
{
	const uint64_t online = numa_online_mask();
	unsigned int a, b, per_node[64], wrong, i;
	uint64_t *p;
	int fd;

	TEST_REQUIRE(__builtin_popcountll(online) >= 2, "placement needs two "
		     "NUMA nodes online (mask 0x%llx; vmcheck boots with "
		     "numa=fake=2)", (unsigned long long)online);
	a = lowest_node(online);
	b = lowest_node(online & ~(1ULL << a));
	p = numa_gmem_map(&fd);
	TEST_ASSERT_ERRNO(gm_mbind(p, GMEM_SIZE, GM_MPOL_BIND, 1ULL << a), 0,
			  "mbind BIND node a");
	for (i = 0; i < GMEM_SIZE / 8; i += SZ_4K / 8)
		p[i] = i;
	TEST_ASSERT_ERRNO(gm_mbind(p, GMEM_SIZE, GM_MPOL_BIND, 1ULL << b), 0,
			  "mbind BIND node b");
	page_nodes(p, per_node, &wrong, a);
	test_diag("after the policy moved to node %u: %u of %u pages still on "
		  "node %u", b, per_node[a], NPAGES, a);
	TEST_ASSERT(wrong == NPAGES, "page %u moved to another node when only "
		    "the policy changed", wrong);
	gmem_punch_hole(fd, 0, GMEM_SIZE);
	for (i = 0; i < GMEM_SIZE / 8; i += SZ_4K / 8)
		p[i] = i;
	page_nodes(p, per_node, &wrong, b);
	test_diag("after PUNCH_HOLE and new writes: %u of %u pages on node %u",
		  per_node[b], NPAGES, b);
	TEST_ASSERT(wrong == NPAGES, "page %u re-allocated after the punch is "
		    "not on node %u, the policy's", wrong, b);
	munmap(p, GMEM_SIZE);
	close(fd);
	vm_free(vm);
}
CFG_CASE(policy_change_applies_to_new_pages, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0)

/* ---- Data through real guests ------------------------------------------- */

static struct kvm_region *shared_gmem_region(struct kvm_vcpu **vcpu,
					     void *guest_code)
{
	struct kvm_region *r;

	require_flags(GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = GMEM_SIZE,
		.backing = BACKING_GMEM, .gmem = GMEM_CREATE,
		.gmem_flags = GUEST_MEMFD_FLAG_MMAP |
			      GUEST_MEMFD_FLAG_INIT_SHARED,
	});
	*vcpu = vm_vcpu_add(vm, guest_code);
	return r;
}

/* Host writes through the mmap reach the guest; guest writes the host. */
static void host_and_guest_see_each_other(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_region *r;
	struct ucall uc;
	uint64_t off, *p;

	vm_default();
	r = shared_gmem_region(&vcpu, guest_check_then_write);
	p = r->hva;
	for (off = 0; off < GMEM_SIZE; off += SZ_4K)
		p[off / 8] = PATTERN(off);
	vcpu_args_set(vcpu, 2, r->gpa, GMEM_SIZE);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.args[0] == 0, "guest saw %llu of %llu pages differ "
		    "from what the host wrote", (unsigned long long)uc.args[0],
		    (unsigned long long)(GMEM_SIZE / SZ_4K));
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_DONE);
	for (off = 0; off < GMEM_SIZE; off += SZ_4K)
		TEST_ASSERT_EQ(p[off / 8], ~PATTERN(off));
	vm_free(vm);
}

/* After a punch the guest reads zero where the host had written. */
static void guest_sees_punched_page_zero(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_region *r;
	struct ucall uc;
	uint64_t *p;

	vm_default();
	r = shared_gmem_region(&vcpu, guest_read_one);
	p = r->hva;
	p[SZ_2M / 8] = 0xfeedface;
	gmem_punch_hole(r->gmem_fd, SZ_2M, SZ_4K);
	vcpu_args_set(vcpu, 1, r->gpa + SZ_2M);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], 0);
	vm_free(vm);
}

/*
 * Closing the guest_memfd (and its mappings) while a memslot is bound:
 * the memslot holds no reference, so the file is released and its
 * bindings invalidated.  A guest access must then fail as a memory fault
 * (kvm_mmu_faultin_pfn_gmem(): kvm_gmem_get_pfn() -> -EFAULT, exit
 * KVM_EXIT_MEMORY_FAULT for the gpa), never reach freed memory.
 */
static void close_fd_with_live_memslot(void)
{
	struct gmem_memory_fault_exit *mf;
	struct kvm_vcpu *vcpu;
	struct kvm_region *r;
	int err;

	vm_default();
	r = shared_gmem_region(&vcpu, guest_read_one);
	((uint64_t *)r->hva)[0] = 0x5a5a;
	munmap(r->map_base, r->map_size);
	r->map_base = NULL;
	r->hva = NULL;
	close(r->gmem_fd);
	r->gmem_owned = false;
	vcpu_args_set(vcpu, 1, r->gpa);
	err = __vcpu_run(vcpu);
	test_diag("KVM_RUN after close: %s, exit %s", errno_name(err),
		  exit_reason_name(vcpu->run->exit_reason));
	if (err != EFAULT ||
	    vcpu->run->exit_reason != KVM_EXIT_MEMORY_FAULT)
		VCPU_UNEXPECTED_EXIT(vcpu);
	mf = run_memory_fault(vcpu->run);
	TEST_ASSERT_EQ(mf->gpa, r->gpa);
	TEST_ASSERT_EQ(mf->size, SZ_4K);
	TEST_ASSERT_EQ(mf->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE, 0);
	vm_free(vm);
}

/*
 * On every VM type in KVM_CAP_VM_TYPES, KVM_CREATE_GUEST_MEMFD accepts
 * exactly the flags that VM's KVM_CAP_GUEST_MEMFD_FLAGS advertises (e.g.
 * 7.3 refuses INIT_SHARED on SW_PROTECTED VMs and says so in the cap).
 */
static void flags_match_vm_capability_one(void)
{
	uint64_t cap, bit;

	vm_default();
	cap = vm_check_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS);
	test_diag("%s: KVM_CAP_GUEST_MEMFD_FLAGS = 0x%llx",
		  vm_type_name(cfg.type), (unsigned long long)cap);
	for (bit = 1; bit & GMEM_KNOWN_FLAGS; bit <<= 1) {
		int fd = __gmem_create(vm, GMEM_SIZE, bit);

		TEST_ASSERT((fd >= 0) == !!(cap & bit),
			    "%s, flag 0x%llx: cap says %s, create answered %s",
			    vm_type_name(cfg.type), (unsigned long long)bit,
			    cap & bit ? "supported" : "unsupported",
			    fd >= 0 ? "an fd" : errno_name(-fd));
		if (fd >= 0)
			close(fd);
	}
	vm_free(vm);
}
CFG_CASE(flags_match_vm_capability, 0, GMEM_KNOWN_FLAGS)

/*
 * Where the kernel has KVM_CAP_GUEST_MEMFD_FLAGS (6.18+), the default VM
 * offers MMAP and INIT_SHARED: a plain VM's memory can live in a
 * guest_memfd the host maps (upstream's test_guest_memfd_guest asserts
 * the same).
 */
static void default_vm_offers_mmap_init_shared(void)
{
	const uint64_t both = GUEST_MEMFD_FLAG_MMAP |
			      GUEST_MEMFD_FLAG_INIT_SHARED;
	uint64_t cap;

	TEST_REQUIRE(kvm_check_cap(KVM_CAP_GUEST_MEMFD_FLAGS) > 0,
		     "KVM_CAP_GUEST_MEMFD_FLAGS absent: kernel older than "
		     "6.18");
	vm = vm_create(KVM_X86_DEFAULT_VM);
	cap = vm_check_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS);
	TEST_ASSERT((cap & both) == both, "default VM's guest_memfd flags "
		    "0x%llx lack %s", (unsigned long long)cap,
		    cap & GUEST_MEMFD_FLAG_MMAP ? "INIT_SHARED" :
		    "MMAP (and INIT_SHARED)");
	vm_free(vm);
}

/* A mapping at an offset shows the same pages as the whole-file one. */
static void mmap_at_offset_same_pages_one(void)
{
	uint64_t *whole, *part, off;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP |
						 GUEST_MEMFD_FLAG_INIT_SHARED));
	whole = gmem_mmap(fd, GMEM_SIZE, 0);
	part = gmem_mmap(fd, SZ_2M, SZ_2M);
	for (off = 0; off < SZ_2M; off += SZ_4K)
		part[off / 8] = PATTERN(off);
	for (off = 0; off < SZ_2M; off += SZ_4K)
		TEST_ASSERT_EQ(whole[(SZ_2M + off) / 8], PATTERN(off));
	TEST_ASSERT_EQ(whole[0], 0);
	munmap(part, SZ_2M);
	munmap(whole, GMEM_SIZE);
	close(fd);
	vm_free(vm);
}
CFG_CASE(mmap_at_offset_same_pages, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0)

/* Deleting a memslot releases its binding: the range binds again. */
static void unbind_then_rebind_one(void)
{
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg.flags);
	TEST_ASSERT_ERRNO(bind(vm, 10, TEST_REGION_GPA, SZ_2M, fd, 0), 0,
			  "binding");
	TEST_ASSERT_ERRNO(__vm_set_user_memory_region2(vm, 10, 0,
			  TEST_REGION_GPA, 0, NULL, 0, 0), 0,
			  "deleting the memslot");
	TEST_ASSERT_ERRNO(bind(vm, 11, TEST_REGION_GPA + SZ_1G, SZ_2M, fd, 0),
			  0, "binding the same range to another memslot");
	vm_free(vm);
	close(fd);
}
CFG_CASE(unbind_then_rebind, 0, 0)

/*
 * The guest_memfd pins its VM, not the other way round: with the VM fd
 * closed, the file still allocates, punches and maps.
 */
static void file_outlives_vm_fd_one(void)
{
	uint64_t *p;
	int fd;

	vm_default();
	fd = gmem_create(vm, GMEM_SIZE, cfg_flags(GUEST_MEMFD_FLAG_MMAP |
						 GUEST_MEMFD_FLAG_INIT_SHARED));
	vm_free(vm);
	gmem_allocate(fd, 0, SZ_2M);
	p = gmem_mmap(fd, SZ_2M, 0);
	p[1] = 42;
	gmem_punch_hole(fd, 0, SZ_4K);
	TEST_ASSERT_EQ(p[1], 0);
	munmap(p, SZ_2M);
	close(fd);
}
CFG_CASE(file_outlives_vm_fd, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, 0)

static const struct ktap_case cases[] = {
	KTAP_CASE(create_each_supported_flag),
	KTAP_CASE(create_unsupported_flags_einval),
	KTAP_CASE(create_bad_sizes_einval),
	KTAP_CASE(flags_match_vm_capability),
	KTAP_CASE(default_vm_offers_mmap_init_shared),
	KTAP_CASE(fstat_reports_size),
	KTAP_CASE(several_files_distinct),
	KTAP_CASE(file_io_refused),
	KTAP_CASE(mmap_without_flag_enodev),
	KTAP_CASE(mmap_private_einval),
	KTAP_CASE(mmap_shared_read_write),
	KTAP_CASE(mmap_beyond_size_sigbus),
	KTAP_CASE(mmap_without_init_shared),
	KTAP_CASE(mmap_at_offset_same_pages),
	KTAP_CASE(madvise_collapse_refused),
	KTAP_CASE(fallocate_ranges_and_modes),
	KTAP_CASE(fallocate_allocates_exactly),
	KTAP_CASE(punch_hole_zeroes_exactly),
	KTAP_CASE(bind_bad_offsets_einval),
	KTAP_CASE(bind_overlapping_range_refused),
	KTAP_CASE(bind_foreign_fds_einval),
	KTAP_CASE(bind_readonly_einval),
	KTAP_CASE(memslot_gpa_overlap_eexist),
	KTAP_CASE(memslot_gpa_size_table),
	KTAP_CASE(mbind_policies_on_gmem_mapping),
	KTAP_CASE(pages_land_where_mbind_says),
	KTAP_CASE(policy_change_applies_to_new_pages),
	KTAP_CASE(unbind_then_rebind),
	KTAP_CASE(file_outlives_vm_fd),
	KTAP_CASE(host_and_guest_see_each_other),
	KTAP_CASE(guest_sees_punched_page_zero),
	KTAP_CASE(close_fd_with_live_memslot),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
