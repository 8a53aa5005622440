// SPDX-License-Identifier: GPL-2.0
/*
 * fault_bench: guest page-fault latency distributions.
 *
 * N vCPUs (threads, optionally pinned) each touch their slice of a test
 * region for the first time.  The guest times every access with an
 * ordered rdtsc pair and stores the cycles in a per-vCPU buffer; the host
 * converts them with KVM_GET_TSC_KHZ and reports the distribution, next
 * to two floors measured in the same run: the resident-access floor (the
 * same loop over memory already mapped) and the cost of the timing
 * itself (the rdtsc pair around nothing).  The guest also times the
 * whole loop, so the per-fault mean can be checked against loop time /
 * pages: sampling must not distort what it samples.
 *
 * The timed loop is the same for every backing; it is reported with the
 * results (on shadow-MMU hosts like PVM the guest's own instructions
 * after each fault are emulated, so the loop shapes the number).
 */
#include <getopt.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"
#include "coco_guest.h"
#include "coco_state.h"
#include "numa.h"
#include "gmem.h"
#include "hugetlb.h"
#include "kvm_util.h"
#include "processor.h"
#include "samples.h"
#include "kvm_json.h"
#include "kvm_stats.h"

#define AUX_GPA		0x40000000ULL	/* sample/order buffers, below 4G */

enum mode {
	MODE_TIMED,	/* time every page */
	MODE_UNTIMED,	/* touch every page; only the whole loop is timed */
	MODE_TIMER,	/* the loop and its rdtsc, no access */
};

struct fault_args {
	uint64_t mode;
	uint64_t base;		/* first page of this vCPU's slice */
	uint64_t nr_pages;
	uint64_t write;
	uint64_t samples;	/* gpa of nr_pages u64 cycle counts */
	uint64_t order;		/* gpa of nr_pages u32 page indices, or 0 */
	uint64_t plain_rdtsc;	/* rdtsc without lfence (--timer rdtsc) */
	uint64_t batch;		/* pages per sample (--batch) */
	uint64_t accept;	/* SNP/TDX private: accept before the access */
};

/* Pages between two progress reports to the watchdog (a power of 2). */
#define PROGRESS_PAGES	4096

GUEST_CODE_BEGIN

/*
 * One loop for every backing and mode.  A page's sample is the interval
 * from the start of its iteration to the start of the next: the access
 * and everything the hypervisor does because of it, wherever that time
 * lands (shadow-MMU hosts such as PVM emulate the instructions after a
 * fault).  One ordered rdtsc per page; the rest of the loop is the same
 * in every mode, so the floors subtract cleanly.
 */
/*
 * The untimed first write in address order, the common case, as tight as
 * the KVM selftests' own loops (kvm_page_table_test, demand_paging_test):
 * the store, the progress word and the loop, seven instructions a page.
 * A hypervisor that emulates the instructions after a fault (PVM) charges
 * each of them to the page, so the general loop's extra ones (order,
 * accept, mode and batch tests, with arguments spilled to the stack)
 * would be charged too; scripts/peer-ratio compares the two.
 */
static void __attribute__((noinline)) guest_untimed_write(uint64_t base,
							  uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		if (!(i & (PROGRESS_PAGES - 1)))
			guest_progress();
		*(volatile uint64_t *)(base + i * SZ_4K) = i;
	}
}

static void guest_fault_loop(uint64_t args_gpa)
{
	volatile struct fault_args *a = (void *)args_gpa;

	for (;;) {
		uint64_t mode = a->mode, base = a->base, n = a->nr_pages;
		uint64_t *samples = (uint64_t *)a->samples;
		uint32_t *order = (uint32_t *)a->order;
		uint64_t i, begin, prev, now, sink = 0, batch = a->batch;
		uint64_t left = batch, k = 0;
		bool write = a->write, plain = a->plain_rdtsc;
		bool accept = a->accept;

		begin = prev = rdtsc_ordered();
		if (mode == MODE_UNTIMED && write && !order && !accept) {
			guest_untimed_write(base, n);
			GUEST_SYNC_ARGS(rdtsc_ordered() - begin, n, sink);
			continue;
		}
		for (i = 0; i < n; i++) {
			volatile uint64_t *p = (uint64_t *)(base +
				(order ? order[i] : i) * SZ_4K);

			/* For the watchdog; the same in every mode. */
			if (!(i & (PROGRESS_PAGES - 1)))
				guest_progress();
			if (mode != MODE_TIMER) {
				/*
				 * A confidential guest's first touch of
				 * private memory is PVALIDATE / ACCEPT: the
				 * fault happens there.
				 */
				if (accept) {
					uint64_t e = guest_accept((uint64_t)p,
								  SZ_4K);

					__GUEST_ASSERT(!e, "accepting page "
						       "0x%lx: 0x%lx",
						       (uint64_t)p, e);
				}
				if (write)
					*p = i;
				else
					sink += *p;
			}
			/*
			 * No division here, and the same instructions in
			 * every mode up to the timer: PVM emulates what
			 * follows a fault, so a mode that skipped the
			 * countdown would be faster per page for that alone.
			 */
			if (--left)
				continue;
			left = batch;
			if (mode == MODE_UNTIMED)
				continue;
			now = plain ? rdtsc() : rdtsc_ordered();
			samples[k++] = now - prev;
			prev = now;
		}
		GUEST_SYNC_ARGS(rdtsc_ordered() - begin, n, sink);
	}
}

GUEST_CODE_END

struct config {
	enum backing_type backing;
	bool gmem_private;
	enum vm_kind kind;
	bool kind_set;		/* --vm-type given */
	uint64_t size;
	unsigned int vcpus;
	bool write;
	bool random;
	enum guest_page guest_page;
	int node;		/* -1: no placement */
	bool pin;
	unsigned int iterations;
	bool populate;
	bool plain_rdtsc;
	unsigned int batch;
	const char *json;
};

struct vcpu_ctx {
	struct kvm_vcpu *vcpu;
	struct fault_args *args;
	uint64_t *samples;	/* host view of the sample buffer */
	uint32_t *order;
	uint64_t loop_cycles;
	pthread_barrier_t *start;
	int cpu;		/* pin target, -1 for none */
};

struct run_result {
	double *ns;		/* every sample of every vCPU, in ns */
	uint64_t n;
	double loop_ns_per_page;	/* guest loop time / pages */
	double wall_s;
	double per_vcpu_faults_per_s[VM_MAX_VCPUS];
};

static const char *prog = "fault_bench";
static struct kvm_vm *vm;
static struct kvm_region *region, *aux;
static struct vcpu_ctx ctx[VM_MAX_VCPUS];
static uint64_t tsc_khz;

/* ---- Setup ------------------------------------------------------------ */

static void usage(FILE *out)
{
	fprintf(out,
"usage: %s [options]\n"
"  -b, --backing B      anon|thp|shmem|hugetlb2m|hugetlb1g|gmem|gmem-private\n"
"                       (default anon)\n"
"  -s, --size SIZE      test region, split among the vCPUs (default 1G)\n"
"  -v, --vcpus N        vCPUs, one thread each (default 1)\n"
"  -a, --access A       read|write (default write)\n"
"  -p, --pattern P      seq|random page order (default seq)\n"
"  -g, --guest-page G   4k|2m|1g guest page-table leaves (default 4k)\n"
"  -n, --node N         bind the region's memory to NUMA node N (0-63) and\n"
"                       check where every page landed\n"
"  -m, --mbind          same as --node 0\n"
"  -P, --pin            pin vCPU thread i to CPU i %% nproc\n"
"  -i, --iterations N   first-touch passes, memory freed between (default 3)\n"
"  -R, --populate       time the resident-access floor instead of faults\n"
"  -T, --timer T        lfence (lfence; rdtsc, default) or rdtsc (cheaper\n"
"                       where the hypervisor emulates lfence)\n"
"  -B, --batch N|auto   one sample per N pages (their mean).  auto\n"
"                       (default): the smallest power of two that keeps\n"
"                       the timer under 2%% of the untimed cost per page\n"
"                       (1 where timing is cheap); 1 forces per-access\n"
"  -V, --vm-type T      " VM_KIND_NAMES "\n"
"                       (default: default, sw_protected for gmem-private;\n"
"                       snp/tdx guests accept private pages on first touch)\n"
"  -j, --json FILE      write the results as JSON (- for stdout)\n"
"  -h, --help\n", prog);
}

static void bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

static void parse(int argc, char **argv, struct config *c)
{
	static const struct option opts[] = {
		{ "backing", required_argument, NULL, 'b' },
		{ "size", required_argument, NULL, 's' },
		{ "vcpus", required_argument, NULL, 'v' },
		{ "access", required_argument, NULL, 'a' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "guest-page", required_argument, NULL, 'g' },
		{ "node", required_argument, NULL, 'n' },
		{ "mbind", no_argument, NULL, 'm' },
		{ "pin", no_argument, NULL, 'P' },
		{ "iterations", required_argument, NULL, 'i' },
		{ "populate", no_argument, NULL, 'R' },
		{ "timer", required_argument, NULL, 'T' },
		{ "batch", required_argument, NULL, 'B' },
		{ "json", required_argument, NULL, 'j' },
		{ "vm-type", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int opt;

	*c = (struct config){
		.backing = BACKING_ANON, .size = SZ_1G, .vcpus = 1,
		.write = true, .node = -1, .iterations = 3, .batch = 0,
	};
	while ((opt = getopt_long(argc, argv, "b:s:v:a:p:g:n:mPi:RT:B:j:V:h",
				  opts,
				  NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (!strcmp(optarg, "gmem-private")) {
				c->backing = BACKING_ANON;
				c->gmem_private = true;
			} else if (!backing_from_name(optarg, &c->backing) ||
				   c->backing == BACKING_NONE) {
				bad("unknown backing '%s'", optarg);
			}
			break;
		case 's':
			c->size = bench_parse_size(prog, "--size", optarg);
			break;
		case 'v':
			c->vcpus = bench_parse_uint(prog, "--vcpus", optarg, 1,
						    VM_MAX_VCPUS);
			break;
		case 'a':
			if (strcmp(optarg, "read") && strcmp(optarg, "write"))
				bad("--access must be read or write, not '%s'",
				    optarg);
			c->write = !strcmp(optarg, "write");
			break;
		case 'p':
			if (strcmp(optarg, "seq") && strcmp(optarg, "random"))
				bad("--pattern must be seq or random, not '%s'",
				    optarg);
			c->random = !strcmp(optarg, "random");
			break;
		case 'g':
			if (!strcmp(optarg, "4k"))
				c->guest_page = GUEST_PAGE_4K;
			else if (!strcmp(optarg, "2m"))
				c->guest_page = GUEST_PAGE_2M;
			else if (!strcmp(optarg, "1g"))
				c->guest_page = GUEST_PAGE_1G;
			else
				bad("--guest-page must be 4k, 2m or 1g, not "
				    "'%s'", optarg);
			break;
		case 'n':
			c->node = bench_parse_uint(prog, "--node", optarg, 0,
						   63);
			break;
		case 'm':
			c->node = 0;
			break;
		case 'P':
			c->pin = true;
			break;
		case 'i':
			c->iterations = bench_parse_uint(prog, "--iterations",
							 optarg, 1, 1000);
			break;
		case 'R':
			c->populate = true;
			break;
		case 'T':
			if (strcmp(optarg, "lfence") && strcmp(optarg, "rdtsc"))
				bad("--timer must be lfence or rdtsc, not '%s'",
				    optarg);
			c->plain_rdtsc = !strcmp(optarg, "rdtsc");
			break;
		case 'B':
			c->batch = !strcmp(optarg, "auto") ? 0 :
				   bench_parse_uint(prog, "--batch", optarg, 1,
						    4096);
			break;
		case 'j':
			c->json = optarg;
			break;
		case 'V':
			if (!vm_kind_from_name(optarg, &c->kind))
				bad("--vm-type must be " VM_KIND_NAMES
				    ", not '%s'", optarg);
			c->kind_set = true;
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
		bad("unexpected argument '%s'", argv[optind]);
	if (!c->kind_set)
		c->kind = c->gmem_private ? VM_KIND_SW_PROTECTED :
			  VM_KIND_DEFAULT;
	if (c->batch && c->size / c->vcpus / SZ_4K % c->batch)
		bad("--batch must divide the pages of each vCPU (%s)",
		    "size / vcpus / 4K");
	if (c->size % (c->vcpus * guest_page_bytes(c->guest_page)))
		bad("--size must split into whole guest pages per vCPU (%s)",
		    "size % (vcpus * guest page)");
	/* One side is touched: the backing, or the guest_memfd. */
	bench_check_fit(prog, "--size", &(struct bench_fit){
		.size = c->size, .backing = c->backing,
		.guest_page = c->guest_page, .copies = 1,
	});
}

static const char *backing_label(const struct config *c)
{
	return c->gmem_private ? "gmem-private" : backing_name(c->backing);
}

static void bind_node(const struct config *c)
{
	int err;

	if (c->node < 0 || !region->hva)
		return;
	err = gm_mbind(region->hva, region->size, GM_MPOL_BIND,
		       1ULL << c->node);
	if (err)
		test_skip("mbind to node %d: %s (node offline?)", c->node,
			  errno_name(err));
}

/* Confidential VMs: the guest's view of the region (lib/kvm/coco_state.c). */
static struct coco_pages cmodel;

static void setup_vm(const struct config *c)
{
	const struct vm_kind_info *kind = vm_kind_info(c->kind);
	struct region_spec spec = {
		.gpa = TEST_REGION_GPA, .size = c->size,
		.backing = c->backing, .guest_page = c->guest_page,
		.private = c->gmem_private,
	};
	uint64_t per = c->size / c->vcpus / SZ_4K, aux_size, off = 0;
	unsigned int i;

	if (c->backing == BACKING_HUGETLB_2M)
		hugetlb_require(SZ_2M, c->size / SZ_2M);
	if (c->backing == BACKING_HUGETLB_1G)
		hugetlb_require(SZ_1G, c->size / SZ_1G);
	if (c->gmem_private && !kind->private_mem)
		test_skip("gmem-private needs a VM type with private memory, "
			  "not --vm-type %s", kind->name);
	vm = vm_create_kind(c->kind);
	if (c->backing == BACKING_GMEM || c->gmem_private) {
		spec.gmem = GMEM_CREATE;
		if (c->backing == BACKING_GMEM) {
			spec.gmem_flags = GUEST_MEMFD_FLAG_MMAP |
					  GUEST_MEMFD_FLAG_INIT_SHARED;
			TEST_REQUIRE((gmem_supported_flags(vm) &
				      spec.gmem_flags) == spec.gmem_flags,
				     "guest_memfd MMAP|INIT_SHARED not "
				     "supported on %s", vm_type_name(vm->type));
		}
	}
	region = vm_add_region(vm, &spec);
	if (vm->coco != COCO_NONE)
		coco_pages_init(&cmodel, vm->coco, region->gpa, region->size,
				spec.private);
	bind_node(c);

	/* Per vCPU: u64 samples and u32 order, each 2M-aligned. */
	aux_size = c->vcpus * (ALIGN_UP(per * 8, SZ_2M) +
			       ALIGN_UP(per * 4, SZ_2M));
	aux = vm_add_region(vm, &(struct region_spec){
		.gpa = AUX_GPA, .size = aux_size, .backing = BACKING_ANON,
		.guest_page = GUEST_PAGE_2M,
	});
	memset(aux->hva, 0, aux_size);
	for (i = 0; i < c->vcpus; i++) {
		struct vcpu_ctx *x = &ctx[i];
		/* Shared: the host sets the mode of every pass. */
		uint64_t args = vm_alloc_shared_pages(vm, 1);

		x->vcpu = vm_vcpu_add(vm, guest_fault_loop);
		vcpu_args_set(x->vcpu, 1, args);
		x->args = addr_gpa2hva(vm, args);
		x->args->base = region->gpa + i * per * SZ_4K;
		x->args->nr_pages = per;
		x->args->write = c->write;
		x->args->plain_rdtsc = c->plain_rdtsc;
		x->args->batch = c->batch ? c->batch : 1;
		x->args->samples = AUX_GPA + off;
		x->samples = addr_gpa2hva(vm, AUX_GPA + off);
		off += ALIGN_UP(per * 8, SZ_2M);
		x->order = addr_gpa2hva(vm, AUX_GPA + off);
		x->args->order = c->random ? AUX_GPA + off : 0;
		off += ALIGN_UP(per * 4, SZ_2M);
		x->cpu = c->pin ? (int)(i % sysconf(_SC_NPROCESSORS_ONLN)) :
			 -1;
	}
	tsc_khz = vcpu_tsc_khz(ctx[0].vcpu);
	TEST_REQUIRE(tsc_khz, "KVM_GET_TSC_KHZ failed: no TSC frequency to "
		     "convert guest cycles");
}

/* Fisher-Yates with a fixed-seed xorshift: the same order every run. */
static void shuffle(uint32_t *v, uint64_t n, uint64_t seed)
{
	uint64_t i, x = seed | 1;

	for (i = 0; i < n; i++)
		v[i] = i;
	for (i = n - 1; i > 0; i--) {
		uint64_t j;
		uint32_t t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % (i + 1);
		t = v[i];
		v[i] = v[j];
		v[j] = t;
	}
}

/* ---- Running ------------------------------------------------------------ */

static void *vcpu_worker(struct kvm_vcpu *vcpu)
{
	struct vcpu_ctx *x = &ctx[vcpu->id];
	struct ucall uc;

	if (x->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(x->cpu, &set);
		pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	}
	pthread_barrier_wait(x->start);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	x->loop_cycles = uc.args[0];
	return NULL;
}

/*
 * Whether the region's memory is as discard left it: a confidential
 * guest accepts (PVALIDATE / TDG.MEM.PAGE.ACCEPT) private pages on their
 * first touch only; accepting a page again fails on both (SNP: rc 6,
 * FAIL_NOUPDATE; TDX: page already accepted), so passes over resident
 * memory (the floors, --populate) do not.
 */
static bool region_fresh = true;

static void discard_all(void)
{
	region_discard(region, 0, region->size);
	region_fresh = true;
	if (cmodel.st)
		coco_discard(&cmodel, region->gpa, region->size);
}

/* What the pass does to the guest's view: checked before it runs. */
static void model_pass(bool accept, bool touches)
{
	bool ok = true;

	if (!cmodel.st || !touches)
		return;
	if (accept)
		ok = coco_guest_accept(&cmodel, region->gpa, region->size);
	ok = ok && coco_guest_touch(&cmodel, region->gpa, region->size);
	TEST_ASSERT(ok, "this pass would fault on the hardware: %s",
		    cmodel.error);
}

/* Run every vCPU through one pass of the given mode, concurrently. */
static double run_pass(const struct config *c, enum mode mode)
{
	bool touches = mode != MODE_TIMER;
	bool accept = fault_pass_accepts(c->gmem_private, vm->coco,
					 region_fresh, touches);
	static const char *const mode_names[] = {
		[MODE_TIMED] = "timed pass", [MODE_UNTIMED] = "untimed pass",
		[MODE_TIMER] = "timer floor pass",
	};
	struct kvm_vcpu *vcpus[VM_MAX_VCPUS];
	struct bench_progress *progress;
	pthread_barrier_t start;
	unsigned int i;
	uint64_t t0;

	model_pass(accept, touches);
	if (touches)
		region_fresh = false;
	pthread_barrier_init(&start, NULL, c->vcpus + 1);
	for (i = 0; i < c->vcpus; i++) {
		ctx[i].args->accept = accept;
		ctx[i].args->mode = mode;
		ctx[i].start = &start;
		vcpu_thread_start(ctx[i].vcpu, vcpu_worker);
	}
	for (i = 0; i < c->vcpus; i++)
		vcpus[i] = ctx[i].vcpu;
	pthread_barrier_wait(&start);
	t0 = now_ns();
	progress = bench_progress_start(prog, mode_names[mode],
					c->size / SZ_4K, PROGRESS_PAGES, vcpus,
					c->vcpus);
	for (i = 0; i < c->vcpus; i++)
		vcpu_thread_join(ctx[i].vcpu);
	bench_progress_stop(progress);
	pthread_barrier_destroy(&start);
	return (now_ns() - t0) / 1e9;
}

static double cycles_to_ns(uint64_t cycles)
{
	return cycles * 1e6 / tsc_khz;
}

/* Collect one pass's samples (ns) from every vCPU. */
static void collect(const struct config *c, struct run_result *res,
		    double wall_s)
{
	/* The batch the guest ran with (auto picks it after the floors). */
	uint64_t per = ctx[0].args->nr_pages, i, pages = 0, loop = 0;
	uint64_t batch = ctx[0].args->batch, ns = per / batch;
	unsigned int v;

	res->n = ns * c->vcpus;
	res->ns = calloc(res->n, sizeof(double));
	TEST_ASSERT(res->ns, "calloc(%llu samples)",
		    (unsigned long long)res->n);
	for (v = 0; v < c->vcpus; v++) {
		for (i = 0; i < ns; i++)
			res->ns[v * ns + i] = cycles_to_ns(ctx[v].samples[i]) /
					      batch;
		res->per_vcpu_faults_per_s[v] = per /
			(cycles_to_ns(ctx[v].loop_cycles) / 1e9);
		loop += ctx[v].loop_cycles;
		pages += per;
	}
	res->loop_ns_per_page = cycles_to_ns(loop) / pages;
	res->wall_s = wall_s;
}

struct measured {
	struct sample_stats faults, floor, timer;
	struct histogram hist;
	double untimed_ns_per_page;	/* the independent check */
	bool batch_auto;
	uint64_t pages_touched;		/* by every pass the stats cover */
	double mean_vs_untimed_pct;
	double wall_s, faults_per_s;
	double per_vcpu_faults_per_s[VM_MAX_VCPUS];
	double pass_p50[1000];
	double pass_untimed[1000];	/* ns per page of each untimed pass */
	unsigned int passes;
	struct stats_snapshot vcpu_before, vcpu_after, vm_before, vm_after;
	/* --node: where the region's pages are after the last pass. */
	const char *placement_unverified;	/* why not, or NULL */
	uint64_t node_pages[64], pages_queried;
	int vcpu_node;		/* node of vCPU 0's CPU (--pin), or -1 */
};

/* The node CPU cpu belongs to (sysfs cpuN/nodeM), or -1. */
static int cpu_node(int cpu)
{
	char path[96];
	int n;

	if (cpu < 0)
		return -1;
	for (n = 0; n < 64; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/"
			 "node%d", cpu, n);
		if (!access(path, F_OK))
			return n;
	}
	return -1;
}

/* One pass of a mode; its samples' statistics into *st (may be NULL). */
static struct run_result pass(const struct config *c, enum mode mode,
			      struct sample_stats *st)
{
	struct run_result r = { 0 };

	collect(c, &r, run_pass(c, mode));
	if (st) {
		stats_compute(r.ns, r.n, st);
		free(r.ns);
		r.ns = NULL;
	}
	return r;
}

/*
 * The floors, measured once before the timed passes: the loop and its
 * rdtsc with no access, and the timed loop over resident memory.
 */
static void measure_floors(struct config *c, struct measured *m)
{
	struct run_result r = pass(c, MODE_UNTIMED, NULL);
	uint64_t per = ctx[0].args->nr_pages;
	unsigned int i;

	free(r.ns);
	pass(c, MODE_TIMER, &m->timer);
	pass(c, MODE_TIMED, &m->floor);
	if (c->batch)
		return;
	/*
	 * --batch auto: the timer (the loop and its rdtsc, no access) may
	 * add at most 2% to the untimed first-touch cost of a page.  2%, not
	 * the 10% the cross-check allows: where the timer traps (PVM), the
	 * hypervisor also emulates what follows a fault, which the no-access
	 * floor cannot see.  Hardware timers (~25 ns against ~2 us faults)
	 * stay at one page per sample.
	 */
	m->batch_auto = true;
	c->batch = 1;
	while (m->timer.p50 / c->batch > 0.02 * r.loop_ns_per_page &&
	       c->batch < 4096 && !(per % (c->batch * 2)))
		c->batch *= 2;
	if (c->batch == 1)
		return;
	for (i = 0; i < c->vcpus; i++)
		ctx[i].args->batch = c->batch;
	/* The floors again, at the batch the latency will be sampled at. */
	pass(c, MODE_TIMER, &m->timer);
	pass(c, MODE_TIMED, &m->floor);
}

static void measure(const struct config *c, struct measured *m)
{
	double *all = NULL, untimed = 0, untimed_pass;
	uint64_t nall = 0, i;
	unsigned int it, v;

	vcpu_stats_snapshot(vm, &m->vcpu_before);
	vm_stats_snapshot(vm, &m->vm_before);
	bench_perf_region(prog, true);
	for (it = 0; it < c->iterations && !bench_interrupted; it++) {
		struct sample_stats s;
		struct run_result r;

		/*
		 * The independent check, every pass: the same first touch
		 * (or resident access) timed only as a whole.
		 */
		discard_all();
		if (c->populate)
			run_pass(c, MODE_UNTIMED);
		r = pass(c, MODE_UNTIMED, NULL);
		untimed += r.loop_ns_per_page;
		untimed_pass = r.loop_ns_per_page;
		m->pass_untimed[it] = untimed_pass;
		free(r.ns);

		if (!c->populate)
			discard_all();
		r = pass(c, MODE_TIMED, NULL);
		for (i = 0; i < r.n; i++)
			hist_add(&m->hist, r.ns[i]);
		all = realloc(all, (nall + r.n) * sizeof(double));
		TEST_ASSERT(all, "realloc");
		memcpy(all + nall, r.ns, r.n * sizeof(double));
		nall += r.n;
		m->wall_s += r.wall_s;
		for (v = 0; v < c->vcpus; v++)
			m->per_vcpu_faults_per_s[v] +=
				r.per_vcpu_faults_per_s[v] / c->iterations;
		stats_compute(r.ns, r.n, &s);
		m->pass_p50[it] = s.p50;
		m->passes++;
		fprintf(stderr, "%s: %s %s x%u %s: pass %u/%u p50 %.2f us "
			"p99 %.2f us mean %.2f us, untimed %.2f us/page "
			"(%.1f s)\n", prog, backing_label(c),
			c->write ? "write" : "read", c->vcpus,
			c->populate ? "resident" : "first touch", it + 1,
			c->iterations, s.p50 / 1000, s.p99 / 1000,
			s.mean / 1000, untimed_pass / 1000, r.wall_s);
		free(r.ns);
	}
	bench_perf_region(prog, false);
	vcpu_stats_snapshot(vm, &m->vcpu_after);
	vm_stats_snapshot(vm, &m->vm_after);
	stats_compute(all, nall, &m->faults);
	free(all);
	if (!m->passes)
		return;
	m->untimed_ns_per_page = untimed / m->passes;
	/* Untimed + timed passes (+ the populating one with --populate). */
	m->pages_touched = m->passes * (region->size / SZ_4K) *
			   (c->populate ? 3 : 2);
	m->mean_vs_untimed_pct = 100 * (m->faults.mean -
					m->untimed_ns_per_page) /
				 m->untimed_ns_per_page;
	/* Samples stand for batch pages each. */
	m->faults_per_s = nall * c->batch / m->wall_s;
}

/* ---- Reporting ------------------------------------------------------- */

/* The relative sd of one figure over the passes of a run, percent. */
static double pass_cov_pct(const double *v, unsigned int n)
{
	double mean = 0, sq = 0;
	unsigned int i;

	if (n < 2)
		return 0;
	for (i = 0; i < n; i++)
		mean += v[i] / n;
	for (i = 0; i < n; i++)
		sq += (v[i] - mean) * (v[i] - mean);
	return 100 * sqrt(sq / (n - 1)) / mean;
}

static uint64_t delta(const struct measured *m, const char *name)
{
	return snapshot_get(&m->vcpu_after, name) -
	       snapshot_get(&m->vcpu_before, name);
}

static void print_placement(const struct config *c, const struct measured *m)
{
	unsigned int i;

	if (c->node < 0)
		return;
	if (m->placement_unverified) {
		printf("  placement on node %d: not verified (%s)\n", c->node,
		       m->placement_unverified);
		return;
	}
	printf("  placement: %llu resident pages:", (unsigned long long)
	       m->pages_queried);
	for (i = 0; i < 64; i++)
		if (m->node_pages[i])
			printf(" node %u %llu", i,
			       (unsigned long long)m->node_pages[i]);
	printf(" (asked: node %d", c->node);
	if (m->vcpu_node >= 0)
		printf("; vCPU 0 runs on node %d: %s memory", m->vcpu_node,
		       m->vcpu_node == c->node ? "local" : "remote");
	printf(")\n");
}

static void print_text(const struct config *c, const struct measured *m)
{
	const struct sample_stats *f = &m->faults;
	uint64_t pages = m->pages_touched ? m->pages_touched : 1;

	printf("fault_bench: %s, %s, %u vCPU(s), %s, %s order, guest %s "
	       "leaves, %llu MiB, %u pass(es), %u page(s) per sample%s%s%s\n",
	       backing_label(c),
	       c->populate ? "resident (populated)" : "first touch",
	       c->vcpus, c->write ? "write" : "read",
	       c->random ? "random" : "sequential",
	       c->guest_page == GUEST_PAGE_4K ? "4K" :
	       c->guest_page == GUEST_PAGE_2M ? "2M" : "1G",
	       (unsigned long long)(c->size >> 20), m->passes, c->batch,
	       m->batch_auto ? " (auto)" : "",
	       bench_interrupted ? " (interrupted)" : "",
	       bench_emulated(probe_host()) ? " [emulated CPU: functional "
	       "timings only]" : "");
	if (!m->passes) {
		printf("  no timed pass completed (interrupted during the "
		       "floors)\n");
		return;
	}
	printf("  per page, us: mean %.3f p50 %.3f p90 %.3f p99 %.3f "
	       "p99.9 %.3f max %.3f sd %.3f (n %llu)\n", f->mean / 1e3,
	       f->p50 / 1e3, f->p90 / 1e3, f->p99 / 1e3, f->p999 / 1e3,
	       f->max / 1e3, f->stddev / 1e3, (unsigned long long)f->n);
	printf("  floors, p50 us: resident access %.3f, loop + rdtsc with no "
	       "access %.3f\n", m->floor.p50 / 1e3, m->timer.p50 / 1e3);
	printf("  untimed pass %.3f us/page: the sampled mean is %+.1f%% of "
	       "it%s\n", m->untimed_ns_per_page / 1e3, m->mean_vs_untimed_pct,
	       m->mean_vs_untimed_pct > 10 ? " (beyond 10%: timing each "
	       "page costs this much here)" : m->mean_vs_untimed_pct < -10 ?
	       " (beyond 10%: the untimed pass was slower; noisy run?)" :
	       "");
	printf("  throughput: %.0f pages/s aggregate, wall %.2f s; p50 over "
	       "passes: CoV %.1f%%\n", m->faults_per_s, m->wall_s,
	       pass_cov_pct(m->pass_p50, m->passes));
	printf("  kvm per page touched: exits %.2f pf_taken %.2f pf_fixed %.2f "
	       "insn_emulation %.1f; pages_4k %llu pages_2m %llu pages_1g "
	       "%llu\n", (double)delta(m, "exits") / pages,
	       (double)delta(m, "pf_taken") / pages,
	       (double)delta(m, "pf_fixed") / pages,
	       (double)delta(m, "insn_emulation") / pages,
	       (unsigned long long)snapshot_get(&m->vm_after, "pages_4k"),
	       (unsigned long long)snapshot_get(&m->vm_after, "pages_2m"),
	       (unsigned long long)snapshot_get(&m->vm_after, "pages_1g"));
	print_placement(c, m);
}

static int write_json(const struct config *c, const struct measured *m)
{
	struct bench_output out;
	FILE *f = bench_open_output(prog, &out, c->json);
	struct json j;
	unsigned int i;

	bench_json_begin(&j, f, "fault_bench");
	json_obj_begin(&j, "config");
	json_str(&j, "backing", backing_label(c));
	json_str(&j, "vm_type", vm_type_name(vm->type));
	json_str(&j, "vm_kind", vm_kind_info(c->kind)->name);
	json_u64(&j, "size", c->size);
	json_u64(&j, "vcpus", c->vcpus);
	json_str(&j, "access", c->write ? "write" : "read");
	json_str(&j, "pattern", c->random ? "random" : "seq");
	json_u64(&j, "guest_page", guest_page_bytes(c->guest_page));
	json_i64(&j, "node", c->node);
	json_bool(&j, "pin", c->pin);
	json_u64(&j, "iterations", c->iterations);
	json_bool(&j, "populate", c->populate);
	json_str(&j, "timed_loop", c->plain_rdtsc ?
		 "per page: access 8 bytes; rdtsc; store the interval since "
		 "the previous rdtsc" : "per page: access 8 bytes; lfence; "
		 "rdtsc; store the interval since the previous rdtsc");
	json_u64(&j, "tsc_khz", tsc_khz);
	json_u64(&j, "batch", c->batch);
	json_bool(&j, "batch_auto", m->batch_auto);
	/* Both floors are sampled at the latency's batch (schema 1.1). */
	json_u64(&j, "floor_batch", c->batch);
	json_obj_end(&j);
	json_obj_begin(&j, "results");
	json_u64(&j, "passes", m->passes);
	stats_to_json(&m->faults, &j, "latency_ns");
	stats_to_json(&m->floor, &j, "resident_floor_ns");
	stats_to_json(&m->timer, &j, "timing_overhead_ns");
	json_double(&j, "untimed_ns_per_page", m->untimed_ns_per_page);
	json_double(&j, "mean_vs_untimed_pct", m->mean_vs_untimed_pct);
	json_double(&j, "pages_per_s", m->faults_per_s);
	json_double(&j, "wall_s", m->wall_s);
	json_double(&j, "pass_p50_cov_pct",
		    pass_cov_pct(m->pass_p50, m->passes));
	json_arr_begin(&j, "pass_p50_ns");
	for (i = 0; i < m->passes; i++)
		json_double(&j, NULL, m->pass_p50[i]);
	json_arr_end(&j);
	/* The untimed cost's own spread within the run (schema 1.2). */
	json_double(&j, "pass_untimed_cov_pct",
		    pass_cov_pct(m->pass_untimed, m->passes));
	json_arr_begin(&j, "pass_untimed_ns_per_page");
	for (i = 0; i < m->passes; i++)
		json_double(&j, NULL, m->pass_untimed[i]);
	json_arr_end(&j);
	json_arr_begin(&j, "per_vcpu_pages_per_s");
	for (i = 0; i < c->vcpus; i++)
		json_double(&j, NULL, m->per_vcpu_faults_per_s[i]);
	json_arr_end(&j);
	stats_delta_to_json(&m->vcpu_before, &m->vcpu_after, &j,
			    "kvm_vcpu_stats");
	stats_delta_to_json(&m->vm_before, &m->vm_after, &j, "kvm_vm_stats");
	/*
	 * The pages the deltas (and perf's counts, PERF=1) cover: every
	 * untimed and timed pass, so that compare divides counts per page.
	 */
	json_u64(&j, "stats_pages", m->pages_touched);
	json_str(&j, "perf_scope", bench_perf_scope());
	hist_to_json(&m->hist, &j, "histogram");
	if (c->node >= 0) {
		json_obj_begin(&j, "placement");
		json_i64(&j, "node", c->node);
		json_i64(&j, "vcpu_node", m->vcpu_node);
		if (m->vcpu_node >= 0)
			json_str(&j, "memory", m->vcpu_node == c->node ?
				 "local" : "remote");
		if (m->placement_unverified) {
			json_str(&j, "unverified", m->placement_unverified);
		} else {
			json_u64(&j, "resident_pages", m->pages_queried);
			json_obj_begin(&j, "pages_per_node");
			for (i = 0; i < 64; i++) {
				char key[8];

				if (!m->node_pages[i])
					continue;
				snprintf(key, sizeof(key), "%u", i);
				json_u64(&j, key, m->node_pages[i]);
			}
			json_obj_end(&j);
		}
		json_obj_end(&j);
	}
	json_obj_end(&j);
	bench_json_end(&j);
	return bench_close_output(prog, &out);
}

/*
 * --node N: ask the kernel where every page of the region is now (the
 * last pass touched them all) and fail loudly if any is not on node N.
 * Private guest_memfd memory has no host mapping to ask through: said,
 * not guessed.
 */
static void verify_placement(const struct config *c, struct measured *m)
{
	enum { CHUNK = 4096 };
	static void *pages[CHUNK];
	static int status[CHUNK];
	uint64_t n = region->size / SZ_4K, i, k, off, first = ~0ULL;
	int err, first_node = -1;

	if (c->node < 0)
		return;
	m->vcpu_node = cpu_node(ctx[0].cpu);
	if (c->gmem_private || !region->hva) {
		m->placement_unverified = "private guest_memfd memory has no "
					  "host mapping to query";
		return;
	}
	/*
	 * The guest faulted guest_memfd pages in through its memslot: the
	 * host mapping has no entries for move_pages to follow until the
	 * host reads each page (mapping the folio the guest allocated).
	 */
	if (c->backing == BACKING_GMEM)
		for (i = 0; i < n; i++)
			(void)*(volatile uint64_t *)((char *)region->hva +
						     i * SZ_4K);
	for (i = 0; i < n; i += k) {
		k = n - i < CHUNK ? n - i : CHUNK;
		for (off = 0; off < k; off++)
			pages[off] = (char *)region->hva + (i + off) * SZ_4K;
		err = gm_page_nodes(pages, k, status);
		TEST_ASSERT(!err, "move_pages (query) of the region: %s",
			    errno_name(err));
		for (off = 0; off < k; off++) {
			/* Negative: not resident (-ENOENT, -EFAULT). */
			if (status[off] < 0)
				continue;
			m->pages_queried++;
			if (status[off] < 64)
				m->node_pages[status[off]]++;
			if (status[off] != c->node && first == ~0ULL) {
				first = i + off;
				first_node = status[off];
			}
		}
	}
	/* The last pass touched every page: all must be resident. */
	TEST_ASSERT(m->pages_queried == n, "--node %d: only %llu of %llu "
		    "pages resident after the last pass: placement not "
		    "verified", c->node, (unsigned long long)m->pages_queried,
		    (unsigned long long)n);
	TEST_ASSERT(first == ~0ULL, "--node %d not honoured: %llu of %llu "
		    "resident pages elsewhere, the first at +0x%llx (node "
		    "%d): the numbers are not for node %d", c->node,
		    (unsigned long long)(m->pages_queried -
					 m->node_pages[c->node]),
		    (unsigned long long)m->pages_queried,
		    (unsigned long long)(first * SZ_4K), first_node, c->node);
}

int main(int argc, char **argv)
{
	static struct measured m = { .vcpu_node = -1 };
	struct config c;

	unsigned int i;
	int rc = 0;

	parse(argc, argv, &c);
	bench_check_output(prog, c.json);
	bench_catch_signals();
	setup_vm(&c);
	for (i = 0; i < c.vcpus; i++)
		if (c.random)
			shuffle(ctx[i].order, ctx[i].args->nr_pages, i + 1);
	measure_floors(&c, &m);
	measure(&c, &m);
	verify_placement(&c, &m);
	print_text(&c, &m);
	if (c.json)
		rc = write_json(&c, &m);
	vm_free(vm);
	coco_pages_free(&cmodel);
	hugetlb_restore();
	return rc ? rc : bench_interrupted ? 130 : 0;
}
