// SPDX-License-Identifier: GPL-2.0
/*
 * Private memory on a KVM_X86_SW_PROTECTED_VM whose memslot has a shared
 * backing and a guest_memfd for the private side: the PRIVATE attribute
 * alone decides which one the guest reaches.  PRIVATE is set wherever the
 * kernel tracks it: the VM fd (6.8+, per-VM path) or the guest_memfd (the
 * in-place conversion series), through the one conversion routine
 * (lib/kvm/convert.c); every case runs on either path.
 */
#include "convert.h"
#include "gmem.h"
#include "guest_ops.h"
#include "hugetlb.h"
#include "ktap.h"
#include "kvm_util.h"
#include "kvm_stats.h"

#define REGION_SIZE	(4 * SZ_2M)
#define SEED_SHARED	0x5a5a0001ULL
#define SEED_PRIVATE	0xa5a50002ULL
#define SEED_OTHER	0x33330003ULL

static struct kvm_vm *vm;
static struct kvm_vcpu *vcpu;
static struct kvm_region *r;
static struct converter conv;

static void set_attr(uint64_t gpa, uint64_t size, bool to_private)
{
	int err = convert_range(&conv, gpa, size, to_private, NULL);

	TEST_ASSERT(!err, "[0x%llx, +0x%llx) to %s: %s",
		    (unsigned long long)gpa, (unsigned long long)size,
		    to_private ? "private" : "shared", errno_name(err));
}

static void host_fill(uint64_t seed)
{
	host_fill_pattern(r->hva, r->gpa, REGION_SIZE, seed);
}

static uint64_t host_bad_pages(uint64_t seed)
{
	return host_pattern_bad_pages(r->hva, r->gpa, REGION_SIZE, seed);
}

/* A SW_PROTECTED VM with one region, shared, on either path. */
static void setup(bool with_gmem)
{
	vm = vm_create_private_plain(ktap_vm_kind());
	r = converter_setup_region(&conv, vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_ANON,
		.gmem = with_gmem ? GMEM_CREATE : GMEM_NONE,
	}, false);
	vcpu = vm_vcpu_add_cmd(vm);
}

static void expect_guest_sees_range(uint64_t gpa, uint64_t size,
				    uint64_t seed)
{
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, gpa, size, seed), gpa, size,
			 seed, "guest view");
}

static void expect_guest_sees(uint64_t seed, const char *what)
{
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa, REGION_SIZE, seed),
			 r->gpa, REGION_SIZE, seed, what);
}

/* Guest writes to private memory never reach the shared backing. */
static void private_writes_invisible_to_shared(void)
{
	setup(true);
	host_fill(SEED_SHARED);
	set_attr(r->gpa, REGION_SIZE, true);
	/* Fresh private memory reads as zero, not as the shared data. */
	expect_guest_sees(0, "fresh private memory");
	vcpu_cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIVATE);
	expect_guest_sees(SEED_PRIVATE, "private memory after the guest "
			  "wrote it");
	TEST_ASSERT(!host_bad_pages(SEED_SHARED), "%llu shared pages changed "
		    "while the guest wrote private memory",
		    (unsigned long long)host_bad_pages(SEED_SHARED));
	vm_free(vm);
}

/*
 * private -> shared -> private: the guest sees the shared backing in
 * between, and its private data again afterwards (nothing discarded).
 */
static void private_content_survives_round_trip(void)
{
	setup(true);
	require_separate_shared_backing(vm);
	host_fill(SEED_SHARED);
	set_attr(r->gpa, REGION_SIZE, true);
	vcpu_cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIVATE);
	set_attr(r->gpa, REGION_SIZE, false);
	expect_guest_sees(SEED_SHARED, "after private -> shared");
	vcpu_cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_OTHER);
	TEST_ASSERT(!host_bad_pages(SEED_OTHER), "host does not see the "
		    "guest's shared writes");
	set_attr(r->gpa, REGION_SIZE, true);
	expect_guest_sees(SEED_PRIVATE, "after shared -> private");
	vm_free(vm);
}

/* Punching the guest_memfd zeroes exactly the punched private pages. */
static void punch_hole_zeroes_private(void)
{
	uint64_t hole = SZ_2M + 5 * SZ_4K;
	struct guest_result res;

	setup(true);
	set_attr(r->gpa, REGION_SIZE, true);
	vcpu_cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIVATE);
	gmem_punch_hole(r->gmem_fd, hole, SZ_4K);
	res = vcpu_cmd(vcpu, GOP_CHECK, r->gpa, REGION_SIZE, SEED_PRIVATE);
	TEST_ASSERT(res.bad == 1 && res.first_bad_gpa == r->gpa + hole,
		    "after punching gmem offset 0x%llx: %llu bad pages, first "
		    "at 0x%llx", (unsigned long long)hole,
		    (unsigned long long)res.bad,
		    (unsigned long long)res.first_bad_gpa);
	expect_guest_sees_range(r->gpa + hole, SZ_4K, 0);
	vm_free(vm);
}

/*
 * The same with only the punched range ever faulted in: the region is
 * private, the guest writes just the 2M range that is then punched, and
 * reads zeros there; the rest of the region (never touched) reads zeros
 * too and the punch must not have disturbed anything mapped around it.
 */
static void punch_hole_only_range_faulted(void)
{
	const uint64_t hole = SZ_2M, len = SZ_2M;

	setup(true);
	set_attr(r->gpa, REGION_SIZE, true);
	vcpu_cmd(vcpu, GOP_FILL, r->gpa + hole, len, SEED_PRIVATE);
	expect_guest_sees_range(r->gpa + hole, len, SEED_PRIVATE);
	gmem_punch_hole(r->gmem_fd, hole, len);
	expect_guest_sees_range(r->gpa + hole, len, 0);
	expect_guest_sees_range(r->gpa, hole, 0);
	vm_free(vm);
}

/* KVM_RUN returned err: EFAULT with a private 4K memory fault at gpa. */
static void expect_private_fault(int err, uint64_t gpa)
{
	struct gmem_memory_fault_exit *mf = run_memory_fault(vcpu->run);

	if (err != EFAULT || vcpu->run->exit_reason != KVM_EXIT_MEMORY_FAULT)
		VCPU_UNEXPECTED_EXIT(vcpu);
	TEST_ASSERT_EQ(mf->gpa, gpa);
	TEST_ASSERT_EQ(mf->size, SZ_4K);
	TEST_ASSERT_EQ(mf->flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
}

/*
 * A PRIVATE gpa whose memslot has no guest_memfd cannot be mapped: KVM_RUN
 * fails with EFAULT and KVM_EXIT_MEMORY_FAULT names the gpa, 4K and the
 * PRIVATE flag.  Once the host flips the page back, the vCPU resumes at
 * the same access and completes it.
 */
static void memory_fault_exit_then_resume(void)
{
	uint64_t gpa;

	setup(false);
	TEST_REQUIRE(vm_check_cap(vm, KVM_CAP_MEMORY_FAULT_INFO),
		     "KVM_CAP_MEMORY_FAULT_INFO absent");
	gpa = r->gpa + 3 * SZ_4K;
	*(uint64_t *)((char *)r->hva + 3 * SZ_4K) = 0x1234;
	set_attr(gpa, SZ_4K, true);
	vcpu_cmd_post(vcpu, GOP_READ, gpa + 8, 0, 0);
	expect_private_fault(__vcpu_run(vcpu), gpa);

	set_attr(gpa, SZ_4K, false);
	*(uint64_t *)((char *)r->hva + 3 * SZ_4K + 8) = 0x5678;
	vcpu_run(vcpu);
	TEST_ASSERT_EQ(vcpu_cmd_result(vcpu).bad, 0x5678);
	vm_free(vm);
}

/* An MMIO exit of the guest's access at gpa; completed with value. */
static void expect_mmio(uint64_t gpa, bool is_write, uint64_t value)
{
	struct kvm_run *run = vcpu->run;
	uint64_t data;
	int err = __vcpu_run(vcpu);

	if (err || run->exit_reason != KVM_EXIT_MMIO)
		VCPU_UNEXPECTED_EXIT(vcpu);
	TEST_ASSERT_EQ(run->mmio.phys_addr, gpa);
	TEST_ASSERT_EQ(run->mmio.len, 8);
	TEST_ASSERT_EQ(run->mmio.is_write, is_write);
	if (is_write) {
		memcpy(&data, run->mmio.data, sizeof(data));
		TEST_ASSERT_EQ(data, value);
	} else {
		memcpy(run->mmio.data, &value, sizeof(value));
	}
	vcpu_run(vcpu);
}

/*
 * KVM writes every field of KVM_EXIT_MEMORY_FAULT itself, whatever the
 * previous exit left in kvm_run's union: after MMIO exits (whose
 * phys_addr, data and len overlay flags, gpa and size), and after the
 * host filled the union with 0xa5.  A read and a write of a PRIVATE gpa
 * in a memslot without guest_memfd: EFAULT, exit MEMORY_FAULT, flags
 * exactly PRIVATE (KVM reports no access bits: "RWX flags are not (yet)
 * defined", kvm_prepare_memory_fault_exit, 6.8 .. 7.4), gpa the page's
 * start, size 4K; converted back, the access completes.
 */
static void memory_fault_exit_exact_after_other_exits(void)
{
	struct gmem_memory_fault_exit *mf;
	struct kvm_region *mmio;
	uint64_t gpa, *word;
	unsigned int i;

	setup(false);
	TEST_REQUIRE(vm_check_cap(vm, KVM_CAP_MEMORY_FAULT_INFO),
		     "KVM_CAP_MEMORY_FAULT_INFO absent");
	mf = run_memory_fault(vcpu->run);
	/* A region mapped in the guest, its memslot gone: MMIO there. */
	mmio = vm_add_region(vm, &(struct region_spec){
		.gpa = r->gpa + REGION_SIZE, .size = SZ_2M,
		.backing = BACKING_ANON,
	});
	TEST_ASSERT_ERRNO(__vm_set_user_memory_region2(vm, mmio->slot,
			  mmio->flags, mmio->gpa, 0, mmio->hva, -1, 0), 0,
			  "deleting the MMIO memslot");
	for (i = 0; i < 2; i++) {
		bool write = i;

		gpa = r->gpa + (7 + i) * SZ_4K;
		word = (uint64_t *)((char *)r->hva + (gpa - r->gpa) + 16);
		*word = 0x1111;
		vcpu_cmd_post(vcpu, GOP_READ, mmio->gpa + 64, 0, 0);
		expect_mmio(mmio->gpa + 64, false, 0xfeedULL);
		TEST_ASSERT_EQ(vcpu_cmd_result(vcpu).bad, 0xfeedULL);
		vcpu_cmd_post(vcpu, GOP_WRITE, mmio->gpa + 128, 0, 0xbeefULL);
		expect_mmio(mmio->gpa + 128, true, 0xbeefULL);
		/* The second time the host leaves garbage, not MMIO data. */
		if (i)
			memset(mf, 0xa5, sizeof(*mf));
		set_attr(gpa, SZ_4K, true);
		vcpu_cmd_post(vcpu, write ? GOP_WRITE : GOP_READ, gpa + 16, 0,
			      0x2222);
		expect_private_fault(__vcpu_run(vcpu), gpa);
		test_diag("%s after %s: flags 0x%llx gpa 0x%llx size 0x%llx",
			  write ? "write" : "read", i ? "0xa5 fill" : "MMIO",
			  (unsigned long long)mf->flags,
			  (unsigned long long)mf->gpa,
			  (unsigned long long)mf->size);
		set_attr(gpa, SZ_4K, false);
		vcpu_run(vcpu);
		if (write)
			TEST_ASSERT_EQ(*word, 0x2222);
		else
			TEST_ASSERT_EQ(vcpu_cmd_result(vcpu).bad, 0x1111);
	}
	vm_free(vm);
}

/*
 * The memslot of a PRIVATE page deleted, then the guest reads the page.
 * Where PRIVATE is a per-VM attribute it outlives the memslot: KVM_RUN
 * fails with EFAULT and KVM_EXIT_MEMORY_FAULT names the gpa, 4K and the
 * PRIVATE flag.  Where PRIVATE lives in the guest_memfd (in place), the
 * gpa has no memory left at all: an MMIO read exit of 8 bytes there.
 */
static void private_access_after_memslot_deleted(void)
{
	struct kvm_run *run;
	uint64_t gpa;
	int err;

	setup(true);
	TEST_REQUIRE(vm_check_cap(vm, KVM_CAP_MEMORY_FAULT_INFO),
		     "KVM_CAP_MEMORY_FAULT_INFO absent");
	gpa = r->gpa + 5 * SZ_4K;
	set_attr(gpa, SZ_4K, true);
	TEST_ASSERT_ERRNO(__vm_set_user_memory_region2(vm, r->slot, r->flags,
						       r->gpa, 0, r->hva,
						       r->gmem_fd,
						       r->gmem_offset), 0,
			  "deleting the memslot");
	vcpu_cmd_post(vcpu, GOP_READ, gpa, 0, 0);
	err = __vcpu_run(vcpu);
	run = vcpu->run;
	if (conv.path == CONVERT_GMEM_ATTR) {
		if (err || run->exit_reason != KVM_EXIT_MMIO)
			VCPU_UNEXPECTED_EXIT(vcpu);
		TEST_ASSERT_EQ(run->mmio.phys_addr, gpa);
		TEST_ASSERT_EQ(run->mmio.len, 8);
		TEST_ASSERT_EQ(run->mmio.is_write, 0);
	} else {
		expect_private_fault(err, gpa);
	}
	vm_free(vm);
}

/* KVM's count of leaves of the guest's page size (pages_2m, pages_1g). */
static uint64_t huge_leaves(enum guest_page leaf)
{
	const char *name = leaf == GUEST_PAGE_1G ? "pages_1g" : "pages_2m";
	uint64_t n;

	TEST_REQUIRE(vm_stat(vm, name, &n), "KVM binary stat %s absent "
		     "(KVM_GET_STATS_FD): cannot tell whether KVM mapped "
		     "huge pages", name);
	return n;
}

/*
 * A huge mapping never covers pages of both kinds: with huge pages behind
 * the shared side and guest leaves of the same size, KVM maps the region
 * with huge pages; converting one 4K page in the middle of one must leave
 * the guest reaching private memory for exactly that page, and the host's
 * data everywhere else, whichever page the guest touches first.
 */
static void huge_split(enum backing_type backing, enum guest_page leaf,
		       uint64_t size)
{
	/* In different 2M parts of the region (and of its 1G page). */
	const uint64_t hole = size / 2 + 5 * SZ_4K, other = 5 * SZ_4K;
	struct guest_result res;
	uint64_t before, after;

	if (backing == BACKING_HUGETLB_1G)
		hugetlb_require(SZ_1G, size / SZ_1G);
	vm = vm_create_private_plain(ktap_vm_kind());
	r = converter_setup_region(&conv, vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = size, .backing = backing,
		.guest_page = leaf, .gmem = GMEM_CREATE,
	}, false);
	require_separate_shared_backing(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill_pattern(r->hva, r->gpa, size, SEED_SHARED);
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa, size, SEED_SHARED),
			 r->gpa, size, SEED_SHARED, "before (huge mappings)");
	before = huge_leaves(leaf);
	test_diag("%s leaves mapped before: %llu", leaf == GUEST_PAGE_1G ?
		  "1G" : "2M", (unsigned long long)before);
	/* Nothing huge to split: the case would pass without testing. */
	TEST_REQUIRE(before, "KVM mapped no %s leaf for the region (host "
		     "mapping or memslot alignment): a split cannot be seen",
		     leaf == GUEST_PAGE_1G ? "1G" : "2M");
	set_attr(r->gpa + hole, SZ_4K, true);
	/* Shared pages first: a wrong huge leaf would then cover the hole. */
	res = vcpu_cmd(vcpu, GOP_CHECK, r->gpa, size, SEED_SHARED);
	after = huge_leaves(leaf);
	test_diag("after the shared pages were touched again: %llu",
		  (unsigned long long)after);
	TEST_ASSERT(after < before, "%llu %s leaves after converting a 4K "
		    "page, %llu before: the leaf over the private page was "
		    "rebuilt", (unsigned long long)after, leaf ==
		    GUEST_PAGE_1G ? "1G" : "2M", (unsigned long long)before);
	TEST_ASSERT(res.bad == 1 && res.first_bad_gpa == r->gpa + hole,
		    "one 4K page private: %llu pages differ from the shared "
		    "data, first at 0x%llx (want only 0x%llx)",
		    (unsigned long long)res.bad,
		    (unsigned long long)res.first_bad_gpa,
		    (unsigned long long)(r->gpa + hole));
	expect_guest_sees_range(r->gpa + hole, SZ_4K, 0);
	vcpu_cmd(vcpu, GOP_FILL, r->gpa + hole, SZ_4K, SEED_PRIVATE);
	TEST_ASSERT(!host_pattern_bad_pages(r->hva, r->gpa, size, SEED_SHARED),
		    "the guest's private write reached the shared backing");
	/*
	 * A page in another part of the same huge range goes private and
	 * back: that range is uniform again, but the huge page around both
	 * is not while the hole is private (KVM must look inside every
	 * smaller range, not at its first page).
	 */
	set_attr(r->gpa + other, SZ_4K, true);
	set_attr(r->gpa + other, SZ_4K, false);
	res = vcpu_cmd(vcpu, GOP_CHECK, r->gpa, size, SEED_SHARED);
	TEST_ASSERT(res.bad == 1 && res.first_bad_gpa == r->gpa + hole,
		    "after another page went private and back: %llu pages "
		    "differ from the shared data, first at 0x%llx (want only "
		    "0x%llx)", (unsigned long long)res.bad,
		    (unsigned long long)res.first_bad_gpa,
		    (unsigned long long)(r->gpa + hole));
	TEST_ASSERT(huge_leaves(leaf) < before, "%llu huge leaves after "
		    "another page went private and back, %llu before any "
		    "conversion: a leaf over the private page was rebuilt",
		    (unsigned long long)huge_leaves(leaf),
		    (unsigned long long)before);
	set_attr(r->gpa + hole, SZ_4K, false);
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa, size, SEED_SHARED),
			 r->gpa, size, SEED_SHARED, "after converting back");
	vm_free(vm);
}

/*
 * Conversion ranges at every position relative to 2M pages (THP behind
 * the shared side, 2M guest leaves), each in a fresh VM: the head page
 * of a huge page, its tail page, a range straddling two, one starting on
 * a boundary and ending inside the next, one starting inside and ending
 * on a boundary, exactly one huge page, and two whole ones.  Each time:
 * exactly the range reads as fresh private memory and keeps the guest's
 * private writes, every other page the host's data; every 2M page the
 * range touches loses its huge leaf and no other does (a leaf kept over
 * a private page would show host data there; guest_memfd allocates only
 * order-0 folios up to 7.4, "TODO: Support huge pages" in
 * kvm_gmem_get_folio, so even a wholly private 2M page maps with 4K
 * leaves); back to shared, the host's data everywhere.
 */
static const struct huge_pos {
	const char *name;
	uint64_t off, size;
} huge_pos[] = {
	{ "head 4K of a huge page", SZ_2M, SZ_4K },
	{ "tail 4K of a huge page", 2 * SZ_2M - SZ_4K, SZ_4K },
	{ "straddling two huge pages", 2 * SZ_2M - SZ_4K, 2 * SZ_4K },
	{ "from a boundary to inside the next", SZ_2M, SZ_2M + 3 * SZ_4K },
	{ "from inside to a boundary", SZ_2M + 5 * SZ_4K, SZ_2M - 5 * SZ_4K },
	{ "exactly one huge page", SZ_2M, SZ_2M },
	{ "two whole huge pages", SZ_2M, 2 * SZ_2M },
};

static unsigned int huge_pages_touched(uint64_t off, uint64_t size)
{
	return (off + size - 1) / SZ_2M - off / SZ_2M + 1;
}

static unsigned int huge_position_row(const struct huge_pos *p)
{
	const uint64_t npages = p->size / SZ_4K;
	uint64_t start, before, after;
	struct guest_result res;
	unsigned int bad = 0;

	vm = vm_create_private_plain(ktap_vm_kind());
	r = converter_setup_region(&conv, vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_THP, .guest_page = GUEST_PAGE_2M,
		.gmem = GMEM_CREATE,
	}, false);
	require_separate_shared_backing(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	start = r->gpa + p->off;
	host_fill(SEED_SHARED);
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa, REGION_SIZE,
				  SEED_SHARED), r->gpa, REGION_SIZE,
			 SEED_SHARED, "before (huge mappings)");
	before = huge_leaves(GUEST_PAGE_2M);
	TEST_REQUIRE(before == REGION_SIZE / SZ_2M, "KVM mapped %llu of %llu"
		     " 2M leaves for the THP region (host THP or alignment): "
		     "splits cannot be seen", (unsigned long long)before,
		     (unsigned long long)(REGION_SIZE / SZ_2M));
	set_attr(start, p->size, true);
	res = vcpu_cmd(vcpu, GOP_CHECK, r->gpa, REGION_SIZE, SEED_SHARED);
	after = huge_leaves(GUEST_PAGE_2M);
	test_diag("%s [+0x%llx, +0x%llx): %llu pages not shared data "
		  "(first 0x%llx), 2M leaves %llu -> %llu", p->name,
		  (unsigned long long)p->off,
		  (unsigned long long)(p->off + p->size),
		  (unsigned long long)res.bad,
		  (unsigned long long)res.first_bad_gpa,
		  (unsigned long long)before, (unsigned long long)after);
	bad += res.bad != npages || res.first_bad_gpa != start;
	res = vcpu_cmd(vcpu, GOP_CHECK, start, p->size, 0);
	bad += res.bad != 0;
	bad += after != before - huge_pages_touched(p->off, p->size);
	vcpu_cmd(vcpu, GOP_FILL, start, p->size, SEED_PRIVATE);
	bad += host_bad_pages(SEED_SHARED) != 0;
	res = vcpu_cmd(vcpu, GOP_CHECK, start, p->size, SEED_PRIVATE);
	bad += res.bad != 0;
	set_attr(start, p->size, false);
	res = vcpu_cmd(vcpu, GOP_CHECK, r->gpa, REGION_SIZE, SEED_SHARED);
	bad += res.bad != 0;
	vm_free(vm);
	if (bad)
		test_diag("  <-- WRONG (%u checks): want %llu pages private "
			  "from 0x%llx, %u leaves fewer", bad,
			  (unsigned long long)npages,
			  (unsigned long long)start,
			  huge_pages_touched(p->off, p->size));
	return bad;
}

static void conversion_at_huge_page_edges(void)
{
	unsigned int i, wrong = 0;

	for (i = 0; i < ARRAY_SIZE(huge_pos); i++)
		wrong += !!huge_position_row(&huge_pos[i]);
	TEST_ASSERT(!wrong, "%u of %zu positions wrong (above)", wrong,
		    ARRAY_SIZE(huge_pos));
}

/* THP behind the shared side, 2M guest leaves. */
static void huge_mapping_split_by_conversion(void)
{
	huge_split(BACKING_THP, GUEST_PAGE_2M, REGION_SIZE);
}

/* A 1G hugetlb page behind the shared side, a 1G guest leaf. */
static void gigantic_mapping_split_by_conversion(void)
{
	huge_split(BACKING_HUGETLB_1G, GUEST_PAGE_1G, SZ_1G);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(private_writes_invisible_to_shared),
	KTAP_CASE(private_content_survives_round_trip),
	KTAP_CASE(punch_hole_zeroes_private),
	KTAP_CASE(punch_hole_only_range_faulted),
	KTAP_CASE(memory_fault_exit_then_resume),
	KTAP_CASE(memory_fault_exit_exact_after_other_exits),
	KTAP_CASE(private_access_after_memslot_deleted),
	KTAP_CASE(huge_mapping_split_by_conversion),
	KTAP_CASE(conversion_at_huge_page_edges),
	KTAP_CASE(gigantic_mapping_split_by_conversion),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
