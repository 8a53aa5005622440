// SPDX-License-Identifier: GPL-2.0
/*
 * convert_bench: what a shared <-> private conversion costs, by size,
 * direction and path, next to the physical floor measured in the same
 * run (zeroing the same bytes, a bare exit round trip); and what a 4K
 * conversion inside a huge mapping does to it (split mode).
 *
 * Paths (the one conversion handler of lib/kvm/convert.c does the work):
 *   vm-attr          KVM_SET_MEMORY_ATTRIBUTES on the VM fd only
 *   vm-attr-discard  the same plus freeing the stale side, as a VMM does
 *   in-place         KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd
 * Two views of each conversion: host-side (the calls, monotonic clock)
 * and the guest's (KVM_HC_MAP_GPA_RANGE round trip and re-touch, rdtsc).
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "bench.h"
#include "coco_state.h"
#include "convert.h"
#include "gmem.h"
#include "guest_ops.h"
#include "kvm_util.h"
#include "samples.h"
#include "kvm_stats.h"

enum path { PATH_VM_ATTR, PATH_VM_DISCARD, PATH_IN_PLACE, NR_PATHS };

static const char *const path_names[NR_PATHS] = {
	"vm-attr", "vm-attr-discard", "in-place",
};

struct config {
	uint64_t sizes[16];
	unsigned int nr_sizes;
	unsigned int iterations;
	unsigned int paths;		/* bitmask of enum path */
	enum guest_page guest_page;
	bool split;
	enum vm_kind kind;
	const char *json;
};

struct floor_row {
	uint64_t size;
	struct sample_stats memset_ns, nt_ns;
};

struct conv_row {
	enum path path;
	uint64_t size;
	bool to_private, populated;
	struct sample_stats host_ns, guest_rtt_ns, retouch_ns;
	double x_zeroing;	/* host mean / memset mean, same bytes */
	double x_exit;		/* guest round trip / bare exit */
	bool host_timed;	/* the host-only conversion was measured */
	double exits;		/* the handler's exits per guest conversion */
	const char *skipped;	/* a row this VM type cannot have */
};

static const char *prog = "convert_bench";
static struct config cfg;
static struct floor_row floors[16];
static struct sample_stats exit_rtt_ns;
static struct conv_row rows[16 * NR_PATHS * 4];
static unsigned int nr_rows;
static const char *skip_reason[NR_PATHS];
static uint64_t tsc_khz;
static uint64_t perf_calls;	/* host conversions perf counted */

static bool coco_kind(void)
{
	return vm_kind_info(cfg.kind)->coco != COCO_NONE;
}

/* What a row times, by VM kind (in the text and JSON output). */
static const char *timed_what(bool coco)
{
	return coco ? "snp/tdx: only the guest converts its memory: the guest "
		      "round trip (request, the host's handler, validate / "
		      "accept, page-table bit) and the re-touch; the host-only "
		      "conversion is not measured (done behind the guest's "
		      "back it would leave its view stale)" :
		      "host: the conversion ioctl alone; guest: the round trip "
		      "of KVM_HC_MAP_GPA_RANGE through the host's handler, "
		      "then the re-touch";
}

/* ---- Options ------------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out,
"usage: %s [options]\n"
"  -s, --sizes LIST     comma-separated sizes (default 4K,64K,2M,64M,1G)\n"
"  -p, --paths LIST     vm-attr,vm-attr-discard,in-place (default all)\n"
"  -i, --iterations N   conversions per row (default 5; 2 above 64M)\n"
"  -g, --guest-page G   4k|2m guest mapping of the region (default 4k)\n"
"  -S, --split          also run the huge-page split mode\n"
"  -V, --vm-type T      sw_protected|snp|tdx (default sw_protected); on\n"
"                       snp/tdx the guest's conversion includes\n"
"                       PVALIDATE/ACCEPT and its page-table bit\n"
"  -j, --json FILE      write the results as JSON (- for stdout)\n"
"  -h, --help\n", prog);
}

static void bad(const char *what, const char *arg)
{
	fprintf(stderr, "%s: %s '%s' (see --help)\n", prog, what, arg);
	exit(2);
}

static void parse_sizes(char *list)
{
	char *tok, *save;

	cfg.nr_sizes = 0;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		uint64_t v = bench_parse_size(prog, "--sizes", tok);

		if (v % SZ_4K)
			bad("--sizes: not a multiple of 4K:", tok);
		if (cfg.nr_sizes == ARRAY_SIZE(cfg.sizes))
			bad("--sizes: at most 16 sizes, got", tok);
		cfg.sizes[cfg.nr_sizes++] = v;
	}
	if (!cfg.nr_sizes)
		bad("--sizes: empty list", list);
}

static void parse_paths(char *list)
{
	char *tok, *save;
	unsigned int p;

	cfg.paths = 0;
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		for (p = 0; p < NR_PATHS; p++)
			if (!strcmp(tok, path_names[p]))
				break;
		if (p == NR_PATHS)
			bad("--paths: unknown path", tok);
		cfg.paths |= 1U << p;
	}
}

static uint64_t max_size(void);

static void parse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "sizes", required_argument, NULL, 's' },
		{ "paths", required_argument, NULL, 'p' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "guest-page", required_argument, NULL, 'g' },
		{ "split", no_argument, NULL, 'S' },
		{ "vm-type", required_argument, NULL, 'V' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char def[] = "4K,64K,2M,64M,1G";
	int opt;

	cfg.iterations = 5;
	cfg.kind = VM_KIND_SW_PROTECTED;
	cfg.paths = (1U << NR_PATHS) - 1;
	parse_sizes(def);
	while ((opt = getopt_long(argc, argv, "s:p:i:g:SV:j:h", opts,
				  NULL)) != -1) {
		switch (opt) {
		case 's':
			parse_sizes(optarg);
			break;
		case 'p':
			parse_paths(optarg);
			break;
		case 'i':
			cfg.iterations = bench_parse_uint(prog, "--iterations",
							  optarg, 1, 1000);
			break;
		case 'g':
			if (!strcmp(optarg, "4k"))
				cfg.guest_page = GUEST_PAGE_4K;
			else if (!strcmp(optarg, "2m"))
				cfg.guest_page = GUEST_PAGE_2M;
			else
				bad("--guest-page must be 4k or 2m, not", optarg);
			break;
		case 'S':
			cfg.split = true;
			break;
		case 'V':
			if (!vm_kind_from_name(optarg, &cfg.kind))
				bad("--vm-type must be " VM_KIND_NAMES ", not",
				    optarg);
			if (!vm_kind_info(cfg.kind)->private_mem)
				bad("--vm-type needs private memory "
				    "(sw_protected|snp|tdx), not", optarg);
			break;
		case 'j':
			cfg.json = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(2);
		}
	}
	if (optind < argc)
		bad("unexpected argument", argv[optind]);
	/* One region of the largest size, 2M-aligned: both sides touched. */
	bench_check_fit(prog, "--sizes", &(struct bench_fit){
		.size = ALIGN_UP(max_size(), SZ_2M), .backing = BACKING_ANON,
		.guest_page = cfg.guest_page, .copies = 2,
	});
}

/*
 * A confidential VM type this host cannot run: skip the whole program
 * (the floors belong with the runs of the types that exist here).
 */
static void require_confidential_kind(void)
{
	struct vm_kind_facts f;
	char why[320];

	if (vm_kind_info(cfg.kind)->coco == COCO_NONE)
		return;
	vm_kind_facts_read(&f);
	if (vm_kind_unavailable(&f, cfg.kind, why, sizeof(why)))
		test_skip("%s", why);
}

static unsigned int iterations_for(uint64_t size)
{
	return size > (64ULL << 20) && cfg.iterations > 2 ? 2 :
	       cfg.iterations;
}

static uint64_t max_size(void)
{
	uint64_t m = 0;
	unsigned int i;

	for (i = 0; i < cfg.nr_sizes; i++)
		if (cfg.sizes[i] > m)
			m = cfg.sizes[i];
	return m;
}

/* ---- The floor: zeroing the same bytes, a bare exit ---------------------- */

/* clear_page-like: non-temporal 8-byte stores, then a store fence. */
static void zero_nt(void *dst, uint64_t len)
{
	uint64_t *p = dst, *end = (uint64_t *)((char *)dst + len);

	for (; p < end; p++)
		__asm__ __volatile__("movnti %1, %0" : "=m"(*p) : "r"(0ULL));
	__asm__ __volatile__("sfence" ::: "memory");
}

static void measure_floors(void)
{
	uint64_t len = max_size(), i, t0;
	unsigned int s, it;
	char *buf;

	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	TEST_ASSERT(buf != MAP_FAILED, "mmap(%llu) for the zeroing floor",
		    (unsigned long long)len);
	for (s = 0; s < cfg.nr_sizes && !bench_interrupted; s++) {
		unsigned int n = iterations_for(cfg.sizes[s]);
		double a[1000], b[1000];

		for (it = 0; it < n; it++) {
			t0 = now_ns();
			memset(buf, it, cfg.sizes[s]);
			a[it] = now_ns() - t0;
			t0 = now_ns();
			zero_nt(buf, cfg.sizes[s]);
			b[it] = now_ns() - t0;
		}
		floors[s].size = cfg.sizes[s];
		stats_compute(a, n, &floors[s].memset_ns);
		stats_compute(b, n, &floors[s].nt_ns);
	}
	munmap(buf, len);

	/* A bare exit round trip, timed by the guest (default VM). */
	{
		struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
		struct kvm_vcpu *vcpu = vm_vcpu_add_cmd(vm);
		double v[200];

		tsc_khz = vcpu_tsc_khz(vcpu);
		TEST_REQUIRE(tsc_khz, "KVM_GET_TSC_KHZ failed");
		for (i = 0; i < ARRAY_SIZE(v); i++) {
			vcpu_cmd(vcpu, GOP_EXIT_RTT, 0, 0, 0);
			vcpu_run(vcpu);
			v[i] = vcpu_cmd_result(vcpu).bad * 1e6 / tsc_khz;
		}
		stats_compute(v, ARRAY_SIZE(v), &exit_rtt_ns);
		vm_free(vm);
	}
}

static const struct floor_row *floor_for(uint64_t size)
{
	unsigned int i;

	for (i = 0; i < cfg.nr_sizes; i++)
		if (floors[i].size == size)
			return &floors[i];
	return NULL;
}

/* ---- Conversions ----------------------------------------------------------- */

static struct kvm_vm *vm;
static struct kvm_region *region;
static struct kvm_vcpu *vcpu;
static struct converter conv;
/* Confidential VMs: the guest's view of the region (lib/kvm/coco_state.c). */
static struct coco_pages cmodel;

static void free_vm(void)
{
	vm_free(vm);
	vm = NULL;
	coco_pages_free(&cmodel);
}

/*
 * A VM for one path with a region of the given shape (the in-place path
 * always maps the guest_memfd itself), or false with skip_reason[p] set.
 */
static bool __printf(2, 3) path_skip(enum path p, const char *fmt, ...)
{
	char *why;
	va_list ap;

	va_start(ap, fmt);
	TEST_ASSERT(vasprintf(&why, fmt, ap) >= 0, "vasprintf");
	va_end(ap);
	skip_reason[p] = why;
	if (vm)
		free_vm();
	return false;
}

/* False, with skip_reason[p] set, unless path p can run on vm. */
static bool path_usable(enum path p)
{
	struct kvm_vm *def;
	bool ok;

	if (p == PATH_IN_PLACE) {
		/* The ioctl first: it is what a kernel without the series lacks. */
		def = vm_create(KVM_X86_DEFAULT_VM);
		ok = gmem_has_attributes_ioctl(def);
		vm_free(def);
		if (!ok)
			return path_skip(p, "KVM_SET_MEMORY_ATTRIBUTES2 on "
					 "guest_memfd %s",
					 gmem_attr_absent_reason());
		if (gmem_private_on_vm_fd(vm->fd) != TRI_YES)
			return path_skip(p, "KVM_SET_MEMORY_ATTRIBUTES2 refuses"
					 " PRIVATE on guest_memfds of %s",
					 vm_type_name(vm->type));
		if (!(vm_check_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS) &
		      GUEST_MEMFD_FLAG_INIT_SHARED))
			return path_skip(p, "GUEST_MEMFD_FLAG_INIT_SHARED not "
					 "offered on %s (one guest_memfd "
					 "cannot hold both sides)",
					 vm_type_name(vm->type));
	} else if (!(vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES) &
		     KVM_MEMORY_ATTRIBUTE_PRIVATE)) {
		return path_skip(p, "KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) not "
				 "offered on the VM fd of %s (%s)",
				 vm_type_name(vm->type),
				 probe_in_place(probe_host()) == TRI_YES ?
				 in_place_on_reason() :
				 "KVM_CAP_MEMORY_ATTRIBUTES lacks it");
	}
	if (!(vm_check_cap(vm, KVM_CAP_EXIT_HYPERCALL) &
	      (1 << KVM_HC_MAP_GPA_RANGE)))
		return path_skip(p, "KVM_CAP_EXIT_HYPERCALL lacks "
				 "KVM_HC_MAP_GPA_RANGE");
	return true;
}

static bool setup_path(enum path p, enum backing_type backing, uint64_t size,
		       enum guest_page guest_page)
{
	struct region_spec spec = {
		.gpa = TEST_REGION_GPA, .size = size, .backing = backing,
		.guest_page = guest_page, .gmem = GMEM_CREATE,
	};
	char why[320];

	vm = __vm_create_kind(cfg.kind, why, sizeof(why));
	if (!vm)
		return path_skip(p, "%s", why);
	if (!path_usable(p))
		return false;
	if (p == PATH_IN_PLACE) {
		spec.backing = BACKING_GMEM;
		spec.gmem_flags = GUEST_MEMFD_FLAG_MMAP |
				  GUEST_MEMFD_FLAG_INIT_SHARED;
	}
	region = vm_add_region(vm, &spec);
	if (vm->coco != COCO_NONE)
		coco_pages_init(&cmodel, vm->coco, region->gpa, region->size,
				spec.private);
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	converter_init(&conv, vm, p == PATH_IN_PLACE ? CONVERT_GMEM_ATTR :
		       CONVERT_VM_ATTR, p == PATH_VM_DISCARD);
	return true;
}

static struct guest_result run_cmd(enum guest_op op, uint64_t gpa,
				   uint64_t size, uint64_t seed)
{
	return vcpu_cmd_converting(&conv, vcpu, op, gpa, size, seed);
}

static void host_convert(uint64_t gpa, uint64_t size, bool to_private)
{
	int err = convert_range(&conv, gpa, size, to_private, NULL);

	TEST_ASSERT(!err, "%s conversion of [0x%llx, +0x%llx): %s",
		    to_private ? "private" : "shared",
		    (unsigned long long)gpa, (unsigned long long)size,
		    errno_name(err));
}

/*
 * Bring [gpa, +size) to the state before the measured conversion: the
 * source side, populated by the guest (one word per page = its gpa) or
 * never touched.
 */
static void prepare(uint64_t gpa, uint64_t size, bool to_private,
		    bool populated)
{
	host_convert(gpa, size, !to_private);
	region_discard(region, gpa - region->gpa, size);
	if (populated)
		run_cmd(GOP_TOUCH_TIMED, gpa, size, 0);
}

/* In-place keeps one copy: the data must survive (checked untimed). */
static void verify_in_place(uint64_t gpa, uint64_t size, bool to_private)
{
	uint64_t probes[3] = { gpa, gpa + size / 2, gpa + size - SZ_4K };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		uint64_t a = ALIGN_DOWN(probes[i], SZ_4K), v;

		v = to_private ? run_cmd(GOP_READ, a, 0, 0).bad :
				 *(uint64_t *)addr_gpa2hva(vm, a);
		if (v != a)
			TEST_FAIL("in-place conversion to %s lost data: gpa "
				  "0x%llx holds 0x%llx, expected 0x%llx",
				  to_private ? "private" : "shared",
				  (unsigned long long)a,
				  (unsigned long long)v,
				  (unsigned long long)a);
	}
}

/* ---- Confidential VMs: guest-driven rows (lib/kvm/coco_state.c) ------------- */

struct coco_ctx {
	double rtt_ns, touch_ns;
	uint64_t exits;
};

/* Exits the handler answered (accepted or refused) so far. */
static uint64_t handler_exits(void)
{
	return conv.stats.calls + conv.stats.refused;
}

static uint64_t map_attrs(bool to_private)
{
	return to_private ? KVM_MAP_GPA_RANGE_ENCRYPTED :
			    KVM_MAP_GPA_RANGE_DECRYPTED;
}

static void coco_guest_convert_op(void *ctx, uint64_t gpa, uint64_t size,
				  bool to_private)
{
	struct guest_result res = run_cmd(GOP_CONVERT, gpa, size,
					  map_attrs(to_private));

	(void)ctx;
	TEST_ASSERT(!res.bad, "the guest's conversion of [0x%llx, +0x%llx) "
		    "to %s failed: 0x%llx", (unsigned long long)gpa,
		    (unsigned long long)size, to_private ? "private" :
		    "shared", (unsigned long long)res.bad);
}

static void coco_touch_op(void *ctx, uint64_t gpa, uint64_t size)
{
	(void)ctx;
	run_cmd(GOP_TOUCH_TIMED, gpa, size, 0);
}

static void coco_discard_op(void *ctx, uint64_t gpa, uint64_t size)
{
	(void)ctx;
	region_discard(region, gpa - region->gpa, size);
}

static void coco_timed_op(void *ctx, uint64_t gpa, uint64_t size,
			  bool to_private)
{
	struct coco_ctx *c = ctx;
	uint64_t before = handler_exits();
	struct guest_result res = run_cmd(GOP_CONVERT_TIMED, gpa, size,
					  map_attrs(to_private));

	c->exits = handler_exits() - before;
	TEST_ASSERT(res.first_bad_value == 0, "the guest's conversion "
		    "failed: 0x%llx", (unsigned long long)res.first_bad_value);
	c->rtt_ns = res.bad * 1e6 / tsc_khz;
	c->touch_ns = res.first_bad_gpa * 1e6 / tsc_khz;
}

static const struct coco_row_ops coco_ops = {
	.guest_convert = coco_guest_convert_op,
	.guest_touch = coco_touch_op,
	.discard = coco_discard_op,
	.timed_convert = coco_timed_op,
};

/*
 * One row on SNP/TDX: every step is the guest's or follows what it
 * asked for, checked against the model of its view before it runs.
 */
static unsigned int measure_row_coco(struct conv_row *row, double *rtt,
				     double *touch)
{
	unsigned int n = iterations_for(row->size), it;
	uint64_t calls = 0;
	struct coco_ctx c;

	row->skipped = coco_row_exists(row->to_private, row->populated);
	if (row->skipped)
		return 0;
	for (it = 0; it < n && !bench_interrupted; it++) {
		TEST_ASSERT(coco_row_run(&cmodel, &coco_ops, &c, region->gpa,
					 row->size, row->to_private,
					 row->populated),
			    "convert_bench's plan would fault on the hardware:"
			    " %s", cmodel.error);
		calls += c.exits;
		rtt[it] = c.rtt_ns;
		touch[it] = c.touch_ns;
	}
	row->exits = it ? (double)calls / it : 0;
	return it;
}

static void measure_row(enum path p, uint64_t size, bool to_private,
			bool populated)
{
	struct conv_row *row = &rows[nr_rows++];
	unsigned int n = iterations_for(size), it;
	uint64_t gpa = region->gpa, attrs, calls = 0, exits;
	double host[1000], rtt[1000], touch[1000];
	const struct floor_row *f = floor_for(size);

	attrs = map_attrs(to_private);
	row->path = p;
	row->size = size;
	row->to_private = to_private;
	row->populated = populated;
	if (vm->coco != COCO_NONE) {
		n = measure_row_coco(row, rtt, touch);
		bench_work_add(2ULL * iterations_for(size) * (size / SZ_4K));
		if (row->skipped)
			return;
		goto stats;
	}
	row->host_timed = true;
	for (it = 0; it < n && !bench_interrupted; it++) {
		struct guest_result res;
		uint64_t t0;

		prepare(gpa, size, to_private, populated);
		/* PERF=1 counts the host's conversions only, untimed. */
		bench_perf_region(prog, true);
		t0 = now_ns();
		host_convert(gpa, size, to_private);
		host[it] = now_ns() - t0;
		bench_perf_region(prog, false);
		perf_calls++;
		bench_work_add(size / SZ_4K);
		if (p == PATH_IN_PLACE && populated)
			verify_in_place(gpa, size, to_private);

		prepare(gpa, size, to_private, populated);
		exits = handler_exits();
		res = run_cmd(GOP_CONVERT_TIMED, gpa, size, attrs);
		calls += handler_exits() - exits;
		TEST_ASSERT(res.first_bad_value == 0, "the guest's conversion "
			    "request was refused: %lld",
			    (long long)res.first_bad_value);
		rtt[it] = res.bad * 1e6 / tsc_khz;
		touch[it] = res.first_bad_gpa * 1e6 / tsc_khz;
		bench_work_add(size / SZ_4K);
	}
	n = it;
	row->exits = n ? (double)calls / n : 0;
stats:
	if (row->host_timed)
		stats_compute(host, n, &row->host_ns);
	stats_compute(rtt, n, &row->guest_rtt_ns);
	stats_compute(touch, n, &row->retouch_ns);
	row->x_zeroing = f && row->host_timed ?
			 row->host_ns.mean / f->memset_ns.mean : 0;
	row->x_exit = row->guest_rtt_ns.mean / exit_rtt_ns.mean;
	fprintf(stderr, "%s: %-15s %6lluK to %-7s %-9s host p50 %9.1f us, "
		"guest round trip p50 %9.1f us\n", prog, path_names[p],
		(unsigned long long)(size >> 10),
		to_private ? "private" : "shared",
		populated ? "populated" : "untouched",
		row->host_ns.p50 / 1e3, row->guest_rtt_ns.p50 / 1e3);
}

/* Pages a path's rows convert: 4 rows a size, host and guest each. */
static uint64_t path_pages(unsigned int p)
{
	uint64_t pages = 0;
	unsigned int s;

	for (s = 0; s < cfg.nr_sizes && (cfg.paths & (1U << p)); s++)
		pages += 4 * 2ULL * iterations_for(cfg.sizes[s]) *
			 (cfg.sizes[s] / SZ_4K);
	return pages;
}

static uint64_t conversion_pages(void)
{
	uint64_t pages = 0;
	unsigned int p;

	for (p = 0; p < NR_PATHS; p++)
		pages += path_pages(p);
	return pages;
}

static void measure_conversions(void)
{
	unsigned int p, s, d, pop;

	bench_work_start(prog, "conversions", "pages", conversion_pages());
	for (p = 0; p < NR_PATHS && !bench_interrupted; p++) {
		if (!(cfg.paths & (1U << p)))
			continue;
		if (!setup_path(p, BACKING_ANON, ALIGN_UP(max_size(), SZ_2M),
				cfg.guest_page)) {
			fprintf(stderr, "%s: %s: SKIP %s\n", prog,
				path_names[p], skip_reason[p]);
			bench_work_add(path_pages(p));	/* nothing to do */
			continue;
		}
		for (s = 0; s < cfg.nr_sizes; s++)
			for (d = 0; d < 2; d++)
				for (pop = 0; pop < 2; pop++)
					if (!bench_interrupted)
						measure_row(p, cfg.sizes[s],
							    !d, pop);
		free_vm();
	}
	bench_work_stop();
}

/* ---- Split mode ------------------------------------------------------------- */

/*
 * The split's conversion of one 4K page: by the host on SW_PROTECTED
 * VMs; on SNP/TDX by the guest (checked against its view first, outside
 * the timed part), the guest's round trip timed.
 */
static uint64_t split_convert(uint64_t gpa, bool to_private)
{
	struct guest_result res;
	uint64_t t0, ns;

	if (!coco_kind()) {
		t0 = now_ns();
		host_convert(gpa, SZ_4K, to_private);
		return now_ns() - t0;
	}
	TEST_ASSERT(coco_guest_convert(&cmodel, gpa, SZ_4K, to_private),
		    "split mode would fault on the hardware: %s",
		    cmodel.error);
	t0 = now_ns();
	res = run_cmd(GOP_CONVERT, gpa, SZ_4K, map_attrs(to_private));
	ns = now_ns() - t0;
	TEST_ASSERT(!res.bad, "the guest's conversion of 0x%llx failed: "
		    "0x%llx", (unsigned long long)gpa,
		    (unsigned long long)res.bad);
	return ns;
}

/* The guest touches [gpa, +size): checked against its view first. */
static struct guest_result split_touch(uint64_t gpa, uint64_t size)
{
	if (coco_kind())
		TEST_ASSERT(coco_guest_touch(&cmodel, gpa, size), "split mode "
			    "would fault on the hardware: %s", cmodel.error);
	return run_cmd(GOP_TOUCH_TIMED, gpa, size, 0);
}

/*
 * A 2M guest mapping over THP, fully populated; convert one 4K page in
 * the middle of the second 2M page to private and back, and report what
 * KVM's page counters and the guest's re-access time do at each step.
 */
static void measure_split(struct json *j)
{
	/* A confidential guest converts the page: it needs a 4K leaf. */
	enum guest_page gp = coco_kind() ? GUEST_PAGE_4K : GUEST_PAGE_2M;
	struct stats_snapshot st[4];
	uint64_t gpa2m, victim, conv_ns[2];
	double touch_us[3];
	struct guest_result res;
	unsigned int i;
	const char *steps[3] = { "before", "after_to_private",
				 "after_back_to_shared" };

	if (!setup_path(PATH_VM_ATTR, BACKING_THP, 4 * SZ_2M, gp)) {
		fprintf(stderr, "%s: split: SKIP %s\n", prog,
			skip_reason[PATH_VM_ATTR]);
		if (j) {
			json_obj_begin(j, "split");
			json_str(j, "skipped", skip_reason[PATH_VM_ATTR]);
			json_obj_end(j);
		}
		return;
	}
	gpa2m = region->gpa + SZ_2M;
	victim = gpa2m + 256 * SZ_4K;

	split_touch(region->gpa, region->size);
	vm_stats_snapshot(vm, &st[0]);
	res = split_touch(gpa2m, SZ_2M);
	touch_us[0] = res.bad * 1e3 / tsc_khz / (SZ_2M / SZ_4K);

	conv_ns[0] = split_convert(victim, true);
	res = split_touch(gpa2m, 256 * SZ_4K);
	touch_us[1] = res.bad * 1e3 / tsc_khz / 256;
	vm_stats_snapshot(vm, &st[1]);

	conv_ns[1] = split_convert(victim, false);
	res = split_touch(gpa2m, SZ_2M);
	touch_us[2] = res.bad * 1e3 / tsc_khz / (SZ_2M / SZ_4K);
	vm_stats_snapshot(vm, &st[2]);

	printf("split (THP backing, %s guest mapping, one 4K page of a 2M "
	       "page converted by the %s):\n", gp == GUEST_PAGE_2M ? "2M" :
	       "4K", coco_kind() ? "guest" : "host");
	for (i = 0; i < 3; i++)
		printf("  %-22s pages_4k %6llu pages_2m %4llu  re-access "
		       "%.3f us/page\n", steps[i],
		       (unsigned long long)snapshot_get(&st[i], "pages_4k"),
		       (unsigned long long)snapshot_get(&st[i], "pages_2m"),
		       touch_us[i]);
	printf("  conversion of the 4K page: to private %.1f us, back %.1f "
	       "us; huge mapping %s after converting back\n",
	       conv_ns[0] / 1e3, conv_ns[1] / 1e3,
	       snapshot_get(&st[2], "pages_2m") >=
	       snapshot_get(&st[0], "pages_2m") ? "restored" :
	       "NOT restored");
	if (j) {
		json_obj_begin(j, "split");
		json_str(j, "backing", "thp");
		json_u64(j, "guest_page", gp == GUEST_PAGE_2M ? SZ_2M : SZ_4K);
		json_str(j, "converted_by", coco_kind() ? "guest" : "host");
		json_double(j, "to_private_ns", conv_ns[0]);
		json_double(j, "to_shared_ns", conv_ns[1]);
		for (i = 0; i < 3; i++) {
			json_obj_begin(j, steps[i]);
			json_u64(j, "pages_4k",
				 snapshot_get(&st[i], "pages_4k"));
			json_u64(j, "pages_2m",
				 snapshot_get(&st[i], "pages_2m"));
			json_u64(j, "pages_1g",
				 snapshot_get(&st[i], "pages_1g"));
			json_double(j, "reaccess_us_per_page", touch_us[i]);
			json_obj_end(j);
		}
		json_bool(j, "huge_mapping_restored",
			  snapshot_get(&st[2], "pages_2m") >=
			  snapshot_get(&st[0], "pages_2m"));
		json_obj_end(j);
	}
	free_vm();
}

/* ---- Report ----------------------------------------------------------------- */

static void print_text(void)
{
	unsigned int i;

	printf("convert_bench%s\n", bench_emulated(probe_host()) ?
	       " [emulated CPU: functional timings only]" : "");
	printf("floor: bare exit round trip p50 %.2f us\n",
	       exit_rtt_ns.p50 / 1e3);
	for (i = 0; i < cfg.nr_sizes; i++)
		printf("floor: zero %7lluK memset p50 %10.1f us (%.1f GiB/s),"
		       " nt-store p50 %10.1f us\n",
		       (unsigned long long)(floors[i].size >> 10),
		       floors[i].memset_ns.p50 / 1e3,
		       floors[i].size / floors[i].memset_ns.p50 / 1.073741824,
		       floors[i].nt_ns.p50 / 1e3);
	for (i = 0; i < NR_PATHS; i++)
		if (skip_reason[i])
			printf("%s: SKIP %s\n", path_names[i], skip_reason[i]);
	if (nr_rows)
		printf("timed: %s\n%-15s %8s %-7s %-9s %10s %10s %8s %10s %10s "
		       "%6s\n", timed_what(coco_kind()), "path", "size", "to",
		       "state", "host p50", "host p99", "x zero", "guest p50",
		       "x exit", "exits");
	for (i = 0; i < nr_rows; i++) {
		const struct conv_row *r = &rows[i];

		printf("%-15s %7lluK %-7s %-9s ", path_names[r->path],
		       (unsigned long long)(r->size >> 10),
		       r->to_private ? "private" : "shared",
		       r->populated ? "populated" : "untouched");
		if (r->skipped) {
			printf("SKIP %s\n", r->skipped);
			continue;
		}
		if (r->host_timed)
			printf("%8.1fus %8.1fus %8.1f ", r->host_ns.p50 / 1e3,
			       r->host_ns.p99 / 1e3, r->x_zeroing);
		else
			printf("%10s %10s %8s ", "-", "-", "-");
		printf("%8.1fus %10.1f %6.1f\n", r->guest_rtt_ns.p50 / 1e3,
		       r->x_exit, r->exits);
	}
}

static void json_rows(struct json *j)
{
	unsigned int i;

	json_arr_begin(j, "floor");
	for (i = 0; i < cfg.nr_sizes; i++) {
		json_obj_begin(j, NULL);
		json_u64(j, "size", floors[i].size);
		stats_to_json(&floors[i].memset_ns, j, "memset_ns");
		stats_to_json(&floors[i].nt_ns, j, "nt_store_ns");
		json_obj_end(j);
	}
	json_arr_end(j);
	stats_to_json(&exit_rtt_ns, j, "exit_round_trip_ns");
	/* What PERF=1's counts cover: the host's timed conversions. */
	json_str(j, "perf_scope", bench_perf_scope());
	json_u64(j, "perf_calls", perf_calls);
	json_obj_begin(j, "skipped");
	for (i = 0; i < NR_PATHS; i++)
		if (skip_reason[i])
			json_str(j, path_names[i], skip_reason[i]);
	json_obj_end(j);
	json_str(j, "timed", timed_what(coco_kind()));
	json_arr_begin(j, "conversions");
	for (i = 0; i < nr_rows; i++) {
		const struct conv_row *r = &rows[i];

		json_obj_begin(j, NULL);
		json_str(j, "path", path_names[r->path]);
		json_u64(j, "size", r->size);
		json_str(j, "direction", r->to_private ? "to_private" :
			 "to_shared");
		json_bool(j, "populated", r->populated);
		if (r->skipped) {
			json_str(j, "skipped", r->skipped);
			json_obj_end(j);
			continue;
		}
		json_double(j, "handler_exits_per_conversion", r->exits);
		if (r->host_timed)
			stats_to_json(&r->host_ns, j, "host_ns");
		stats_to_json(&r->guest_rtt_ns, j, "guest_round_trip_ns");
		stats_to_json(&r->retouch_ns, j, "guest_retouch_ns");
		if (r->host_timed) {
			json_double(j, "host_gib_per_s", r->host_ns.mean ?
				    r->size / r->host_ns.mean / 1.073741824 :
				    0);
			json_double(j, "x_zeroing", r->x_zeroing);
		}
		json_double(j, "x_exit", r->x_exit);
		json_obj_end(j);
	}
	json_arr_end(j);
}

int main(int argc, char **argv)
{
	struct json j, *jp = NULL;
	struct bench_output out;
	FILE *f = NULL;
	unsigned int i;

	parse(argc, argv);
	bench_check_output(prog, cfg.json);
	require_confidential_kind();
	bench_catch_signals();
	measure_floors();
	measure_conversions();
	print_text();
	if (cfg.json) {
		f = bench_open_output(prog, &out, cfg.json);
		bench_json_begin(&j, f, "convert_bench");
		json_obj_begin(&j, "config");
		json_arr_begin(&j, "sizes");
		for (i = 0; i < cfg.nr_sizes; i++)
			json_u64(&j, NULL, cfg.sizes[i]);
		json_arr_end(&j);
		json_u64(&j, "iterations", cfg.iterations);
		json_u64(&j, "guest_page", guest_page_bytes(cfg.guest_page));
		json_u64(&j, "tsc_khz", tsc_khz);
		json_str(&j, "vm_kind", vm_kind_info(cfg.kind)->name);
		json_obj_end(&j);
		json_obj_begin(&j, "results");
		json_rows(&j);
		jp = &j;
	}
	if (cfg.split && !bench_interrupted)
		measure_split(jp);
	if (jp) {
		json_obj_end(&j);
		bench_json_end(&j);
		if (bench_close_output(prog, &out))
			return 2;
	}
	return bench_interrupted ? 130 : 0;
}
