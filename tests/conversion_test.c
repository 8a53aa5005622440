// SPDX-License-Identifier: GPL-2.0
/*
 * Shared <-> private conversion semantics.
 *
 * Per-VM attribute path (6.8 .. 7.3): KVM_SET_MEMORY_ATTRIBUTES on the VM
 * fd, private memory in guest_memfd, shared memory in a separate backing;
 * the guest asks with KVM_HC_MAP_GPA_RANGE and the host converts on
 * KVM_EXIT_HYPERCALL (lib/kvm/convert.c, the handler every VM type shares).
 * KVM cannot read attributes back, so every state is verified through
 * what the guest and the host observe.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bounds.h"
#include "convert.h"
#include "gmem.h"
#include "guest_ops.h"
#include "ktap.h"
#include "kvm_util.h"
#include "vm_kind.h"

#define REGION_SIZE	(4 * SZ_2M)
#define SEED_HOST	0x11110001ULL
#define SEED_PRIV	0x22220002ULL
#define SEED_SHARED	0x33330003ULL
#define KVM_ENOSYS	1000
#define KVM_EINVAL	22

static struct kvm_vm *vm;
static struct kvm_region *r;
static struct converter conv;

/*
 * SW_PROTECTED VM, one region: anonymous shared backing (+ guest_memfd),
 * converted through whichever interface holds PRIVATE on this kernel (VM
 * fd, or the guest_memfd on the in-place path), starting shared.
 */
static void setup_conv(bool with_gmem, bool discard)
{
	vm = vm_create_private_plain(ktap_vm_kind());
	r = converter_setup_region(&conv, vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_ANON,
		.gmem = with_gmem ? GMEM_CREATE : GMEM_NONE,
	}, discard);
}

/* Cases about KVM_SET_MEMORY_ATTRIBUTES itself: PRIVATE on the VM fd. */
static void setup_vm_fd(void)
{
	vm = vm_create_private_plain(ktap_vm_kind());
	require_vm_private_attr(vm);
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_ANON, .gmem = GMEM_CREATE,
	});
	converter_init(&conv, vm, CONVERT_VM_ATTR, false);
}

/*
 * KVM_HC_MAP_GPA_RANGE plumbing does not depend on attributes: use a
 * SW_PROTECTED VM where the kernel has one, else a default VM.
 */
static void setup_hypercall_vm(void)
{
	/* --vm-type given: that type or nothing (no silent fallback). */
	vm = ktap_vm_kind_given() ? vm_create_private_plain(ktap_vm_kind()) :
	     __vm_create(KVM_X86_SW_PROTECTED_VM);
	if (!vm)
		vm = vm_create(KVM_X86_DEFAULT_VM);
	test_diag("VM type: %s", vm_type_name(vm->type));
	/* A hypercall returns in microseconds: do not wait a minute. */
	vm_set_run_timeout(vm, 2000);
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_ANON,
	});
	converter_init(&conv, vm, CONVERT_VM_ATTR, false);
}

static uint64_t *host_word(uint64_t gpa)
{
	return (uint64_t *)addr_gpa2hva(vm, gpa);
}

static void host_fill(uint64_t gpa, uint64_t size, uint64_t seed)
{
	host_fill_pattern(host_word(gpa), gpa, size, seed);
}

/* Run one guest command through the conversion handler. */
static struct guest_result cmd(struct kvm_vcpu *vcpu, enum guest_op op,
			       uint64_t gpa, uint64_t size, uint64_t seed)
{
	return vcpu_cmd_converting(&conv, vcpu, op, gpa, size, seed);
}

static void guest_convert(struct kvm_vcpu *vcpu, uint64_t gpa,
			  uint64_t size, bool to_private)
{
	struct guest_result res = cmd(vcpu, GOP_MAP_GPA, gpa, size,
				      to_private ? KVM_MAP_GPA_RANGE_ENCRYPTED :
				      KVM_MAP_GPA_RANGE_DECRYPTED);

	TEST_ASSERT(res.bad == 0, "KVM_HC_MAP_GPA_RANGE(0x%llx, %llu pages, "
		    "%s) returned %lld to the guest", (unsigned long long)gpa,
		    (unsigned long long)(size / SZ_4K),
		    to_private ? "private" : "shared", (long long)res.bad);
}

static void expect_guest(struct kvm_vcpu *vcpu, uint64_t gpa, uint64_t size,
			 uint64_t seed, const char *what)
{
	ASSERT_GUEST_SAW(cmd(vcpu, GOP_CHECK, gpa, size, seed), gpa, size,
			 seed, what);
}

/* Host view of one page: true if its first word is pattern(seed). */
static bool host_page_is(uint64_t gpa, uint64_t seed)
{
	return *host_word(gpa) == guest_pattern(seed, gpa);
}

/* ---- KVM_SET_MEMORY_ATTRIBUTES argument checking ------------------------- */

/*
 * address and size at every edge of their type (lib/kvm/bounds.c around the
 * region): KVM refuses a zero size, an unaligned address or size and a
 * sum that wraps 2^64, and nothing else (attributes are per-VM and may
 * cover GPAs without a memslot); flags != 0 is EINVAL.  Accepted rows
 * set PRIVATE and back, except ranges over 1 GiB, which go to shared (a
 * no-op on a VM without private pages): PRIVATE would make KVM reserve
 * an xarray entry per page, 2^51 of them for the largest.  Every row is
 * reported.
 */
static void vm_attr_invalid_ranges_einval(void)
{
	struct bound_row rows[BOUND_ROWS_MAX];
	unsigned int i, nr, n = 0, wrong = 0;
	uint64_t off, size, attrs;
	char what[120];
	int want, got;

	setup_vm_fd();
	nr = bound_rows(r->gpa, REGION_SIZE, SZ_4K, rows);
	for (i = 0; i < nr; i++, n++) {
		off = rows[i].off;
		size = rows[i].size;
		want = !size || off % SZ_4K || size % SZ_4K ||
		       bound_wraps(off, size) ? EINVAL : 0;
		attrs = !want && size > SZ_1G ? 0 :
			KVM_MEMORY_ATTRIBUTE_PRIVATE;
		snprintf(what, sizeof(what), "%s%s", rows[i].what,
			 attrs ? "" : " (to shared)");
		got = __vm_set_memory_attributes(vm, off, size, attrs, 0);
		if (!got && attrs)
			got = __vm_set_memory_attributes(vm, off, size, 0, 0);
		wrong += table_row(n, what, want, got);
	}
	for (i = 0; i < 64; i++, n++) {
		snprintf(what, sizeof(what), "flags bit %u", i);
		wrong += table_row(n, what, EINVAL,
				   __vm_set_memory_attributes(vm, r->gpa,
				   SZ_4K, KVM_MEMORY_ATTRIBUTE_PRIVATE,
				   1ULL << i));
	}
	TEST_ASSERT_TABLE(wrong, n, "KVM_SET_MEMORY_ATTRIBUTES ranges");
	vm_free(vm);
}

/* Every attribute bit the VM does not advertise is EINVAL, bit by bit. */
static void vm_attr_unknown_bits_einval(void)
{
	unsigned int n, wrong = 0;
	uint64_t have;
	char what[48];

	setup_vm_fd();
	have = vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES);
	test_diag("KVM_CAP_MEMORY_ATTRIBUTES on %s = 0x%llx",
		  vm_type_name(vm->type), (unsigned long long)have);
	for (n = 0; n < 64; n++) {
		uint64_t bit = 1ULL << n;

		snprintf(what, sizeof(what), "attribute bit %u (%s)", n,
			 have & bit ? "advertised" : "unadvertised");
		wrong += table_row(n, what, have & bit ? 0 : EINVAL,
				   __vm_set_memory_attributes(vm, r->gpa,
							      SZ_4K, bit, 0));
	}
	TEST_ASSERT_TABLE(wrong, n, "attribute bits");
	vm_free(vm);
}

/*
 * Attributes live in a per-VM xarray indexed by gfn: ranges without any
 * memslot are accepted, and so is setting an attribute to its value.
 */
static void vm_attr_without_memslot_and_repeat(void)
{
	struct kvm_vcpu *vcpu;

	setup_vm_fd();
	vcpu = vm_vcpu_add_cmd(vm);
	vm_set_private(vm, 64 * SZ_1G, SZ_2M);
	vm_set_shared(vm, 64 * SZ_1G, SZ_2M);
	vm_set_private(vm, r->gpa, REGION_SIZE);
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	/* Private again: a no-op that must keep the private data. */
	vm_set_private(vm, r->gpa, REGION_SIZE);
	expect_guest(vcpu, r->gpa, REGION_SIZE, SEED_PRIV,
		     "after a redundant private -> private");
	vm_free(vm);
}

/* ---- KVM_HC_MAP_GPA_RANGE ----------------------------------------------- */

/* Without KVM_CAP_EXIT_HYPERCALL the guest gets -KVM_ENOSYS, no exit. */
static void map_gpa_without_cap_enosys(void)
{
	struct kvm_vcpu *vcpu;
	struct guest_result res;

	setup_hypercall_vm();
	vcpu = vm_vcpu_add_cmd(vm);
	res = vcpu_cmd(vcpu, GOP_MAP_GPA, r->gpa, SZ_4K,
		       KVM_MAP_GPA_RANGE_ENCRYPTED);
	TEST_ASSERT_EQ((int64_t)res.bad, -KVM_ENOSYS);
	vm_free(vm);
}

/*
 * KVM_HC_MAP_GPA_RANGE(gpa, npages) at every edge of both arguments'
 * types (lib/kvm/bounds.c around the region, plus npages edges of its own:
 * 2^52 pages is 2^64 bytes, 2^63, 2^64 - 1).  KVM refuses an unaligned
 * gpa, npages 0 and gfn + npages wrapping 2^64 itself (-KVM_EINVAL, no
 * exit); every other request reaches the VMM with its arguments intact,
 * and the VMM's handler (map_gpa_check) accepts exactly the requests
 * inside guest memory (the region) and answers EINVAL otherwise.  The
 * test answers the exits itself and converts nothing.  Every row is
 * reported.
 */
enum map_gpa_outcome { MG_ACCEPTED, MG_VMM_EINVAL, MG_KVM_EINVAL, MG_OTHER };

static const char *const mg_names[] = {
	"exit, accepted by the VMM", "exit, VMM answers EINVAL",
	"no exit, -KVM_EINVAL", "other",
};

static enum map_gpa_outcome map_gpa_expect(uint64_t gpa, uint64_t npages)
{
	uint64_t gfn = gpa >> 12;

	if (gpa & (SZ_4K - 1) || !npages || gfn + npages <= gfn)
		return MG_KVM_EINVAL;
	if (npages > REGION_SIZE / SZ_4K || gpa < r->gpa ||
	    gpa - r->gpa > REGION_SIZE - npages * SZ_4K)
		return MG_VMM_EINVAL;
	return MG_ACCEPTED;
}

/* One request from the guest; exits are answered by map_gpa_check(). */
static enum map_gpa_outcome map_gpa_row(struct kvm_vcpu *vcpu, uint64_t gpa,
					uint64_t npages)
{
	bool args_wrong = false;
	const uint64_t attrs = KVM_MAP_GPA_RANGE_ENCRYPTED;
	struct kvm_run *run = vcpu->run;
	struct map_gpa_req req;
	int64_t ret;
	int err = -1;

	vcpu_cmd_post(vcpu, GOP_MAP_GPA_PAGES, gpa, npages, attrs);
	vcpu_run(vcpu);
	if (run->exit_reason == KVM_EXIT_HYPERCALL) {
		if (run->hypercall.nr != KVM_HC_MAP_GPA_RANGE ||
		    run->hypercall.args[0] != gpa ||
		    run->hypercall.args[1] != npages ||
		    run->hypercall.args[2] != attrs) {
			test_diag("  exit carried nr %llu (0x%llx, 0x%llx, "
				  "0x%llx)  <-- WRONG",
				  (unsigned long long)run->hypercall.nr,
				  (unsigned long long)run->hypercall.args[0],
				  (unsigned long long)run->hypercall.args[1],
				  (unsigned long long)run->hypercall.args[2]);
			args_wrong = true;
		}
		err = map_gpa_check(vm, gpa, npages, attrs, &req);
		run->hypercall.ret = err;
		vcpu_run(vcpu);
	}
	ret = vcpu_cmd_result(vcpu).bad;
	if (args_wrong)
		return MG_OTHER;
	if (err == 0 && ret == 0)
		return MG_ACCEPTED;
	if (err == EINVAL && ret == EINVAL)
		return MG_VMM_EINVAL;
	if (err == -1 && ret == -KVM_EINVAL)
		return MG_KVM_EINVAL;
	test_diag("  VMM answer %d, guest got %lld", err, (long long)ret);
	return MG_OTHER;
}

static void map_gpa_bad_ranges_refused(void)
{
	struct bound_row rows[BOUND_ROWS_MAX];
	const struct { uint64_t npages; const char *what; } counts[] = {
		{ 1ULL << 52, "npages 2^52 (2^64 bytes)" },
		{ 1ULL << 63, "npages 2^63" },
		{ ~0ULL, "npages 2^64 - 1 (gfn + npages wraps)" },
		{ REGION_SIZE / SZ_4K + 1, "npages one past the region" },
	};
	unsigned int i, nr, n = 0, wrong = 0;
	enum map_gpa_outcome want, got;
	struct kvm_vcpu *vcpu;
	char what[120];

	setup_hypercall_vm();
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	nr = bound_rows(r->gpa, REGION_SIZE, SZ_4K, rows);
	for (i = 0; i < nr; i++) {
		/* npages counts pages: sizes below a page have no form. */
		if (rows[i].size % SZ_4K)
			continue;
		want = map_gpa_expect(rows[i].off, rows[i].size / SZ_4K);
		got = map_gpa_row(vcpu, rows[i].off, rows[i].size / SZ_4K);
		snprintf(what, sizeof(what), "%s (gpa 0x%llx, npages 0x%llx)",
			 rows[i].what, (unsigned long long)rows[i].off,
			 (unsigned long long)(rows[i].size / SZ_4K));
		wrong += table_row_str(n++, what, mg_names[want],
				       mg_names[got]);
	}
	for (i = 0; i < ARRAY_SIZE(counts); i++) {
		want = map_gpa_expect(r->gpa, counts[i].npages);
		got = map_gpa_row(vcpu, r->gpa, counts[i].npages);
		wrong += table_row_str(n++, counts[i].what, mg_names[want],
				       mg_names[got]);
	}
	TEST_ASSERT_TABLE(wrong, n, "KVM_HC_MAP_GPA_RANGE ranges");
	vm_free(vm);
}

/*
 * The exit carries gpa, npages, attributes (page-size hint too) and the
 * long-mode flag; the value userspace writes to hypercall.ret is what the
 * guest's RAX receives.
 */
static void map_gpa_exit_carries_arguments(void)
{
	const uint64_t attrs = KVM_MAP_GPA_RANGE_ENCRYPTED |
			       KVM_MAP_GPA_RANGE_PAGE_SZ_2M;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;

	setup_hypercall_vm();
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	vcpu_cmd_post(vcpu, GOP_MAP_GPA, r->gpa + SZ_2M, 3 * SZ_2M, attrs);
	vcpu_run(vcpu);
	run = vcpu->run;
	TEST_ASSERT_EXIT(vcpu, KVM_EXIT_HYPERCALL);
	TEST_ASSERT_EQ(run->hypercall.nr, KVM_HC_MAP_GPA_RANGE);
	TEST_ASSERT_EQ(run->hypercall.args[0], r->gpa + SZ_2M);
	TEST_ASSERT_EQ(run->hypercall.args[1], 3 * SZ_2M / SZ_4K);
	TEST_ASSERT_EQ(run->hypercall.args[2], attrs);
	/* KVM_EXIT_HYPERCALL_LONG_MODE (flags bit 0; "longmode" in 6.1 headers). */
	TEST_ASSERT_EQ(run->hypercall.longmode & 1, 1);
	run->hypercall.ret = 0xabcd;
	vcpu_run(vcpu);
	TEST_ASSERT_EQ(vcpu_cmd_result(vcpu).bad, 0xabcd);
	vm_free(vm);
}

/* Unknown attribute bits: the VMM answers EINVAL and converts nothing. */
static void map_gpa_unknown_attrs_refused(void)
{
	struct kvm_vcpu *vcpu;
	struct guest_result res;

	setup_conv(true, false);
	require_separate_shared_backing(vm);
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill(r->gpa, SZ_2M, SEED_HOST);
	res = cmd(vcpu, GOP_MAP_GPA, r->gpa, SZ_2M,
		  KVM_MAP_GPA_RANGE_ENCRYPTED | (1ULL << 5));
	TEST_ASSERT_EQ(res.bad, EINVAL);
	TEST_ASSERT_EQ(conv.stats.refused, 1);
	/* Still shared: the guest reads the host's data. */
	expect_guest(vcpu, r->gpa, SZ_2M, SEED_HOST, "after a refused request");
	vm_free(vm);
}

/*
 * Guest-driven round trip with discard, as a VMM runs it: going private
 * drops the shared copy, going shared punches the private one, so each
 * side reads zero when it comes back.
 */
static void guest_round_trip_with_discard(void)
{
	struct kvm_vcpu *vcpu;
	uint64_t a;

	setup_conv(true, true);
	require_separate_shared_backing(vm);
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	expect_guest(vcpu, r->gpa, REGION_SIZE, SEED_HOST, "initially shared");

	guest_convert(vcpu, r->gpa, REGION_SIZE, true);
	for (a = r->gpa; a < r->gpa + REGION_SIZE; a += SZ_4K)
		TEST_ASSERT(*host_word(a) == 0, "shared copy of 0x%llx not "
			    "discarded: 0x%llx", (unsigned long long)a,
			    (unsigned long long)*host_word(a));
	expect_guest(vcpu, r->gpa, REGION_SIZE, 0, "fresh private");
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	expect_guest(vcpu, r->gpa, REGION_SIZE, SEED_PRIV, "private data");

	guest_convert(vcpu, r->gpa, REGION_SIZE, false);
	expect_guest(vcpu, r->gpa, REGION_SIZE, 0, "shared after discard");
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_SHARED);
	for (a = r->gpa; a < r->gpa + REGION_SIZE; a += SZ_4K)
		TEST_ASSERT(host_page_is(a, SEED_SHARED), "host does not see "
			    "the guest's shared write at 0x%llx",
			    (unsigned long long)a);

	guest_convert(vcpu, r->gpa, REGION_SIZE, true);
	expect_guest(vcpu, r->gpa, REGION_SIZE, 0, "private after punch");
	TEST_ASSERT_EQ(conv.stats.calls, 3);
	vm_free(vm);
}

/*
 * The guest_memfd pages [off, +len) of fd allocated (cachestat), as
 * expected; skipped, and said, where the kernel has no cachestat.
 */
static void expect_allocated(int fd, uint64_t off, uint64_t len, long want,
			     const char *when)
{
	long got = gmem_cached_pages(fd, off, len);

	if (got < 0) {
		test_diag("%s: allocation not checked: cachestat(2): %s",
			  when, errno_name(-got));
		return;
	}
	test_diag("%s: %ld of %llu guest_memfd pages allocated", when, got,
		  (unsigned long long)(len / SZ_4K));
	TEST_ASSERT(got == want, "%s: %ld guest_memfd pages allocated, "
		    "expected %ld", when, got, want);
}

static void expect_resident(long want, const char *when)
{
	expect_allocated(r->gmem_fd, r->gmem_offset, REGION_SIZE, want, when);
}

/*
 * A VMM that pre-allocates private memory (upstream's
 * MAP_GPA_DO_FALLOCATE): going private, the handler fallocates the
 * guest_memfd range (KEEP_SIZE) before setting the attribute, so every
 * page is allocated before the guest touches one (cachestat(2)); the
 * guest reads the fresh pages
 * as zero and keeps what it writes.  Going shared with discard punches
 * them all again.
 */
static void guest_private_preallocated(void)
{
	const long all = REGION_SIZE / SZ_4K;
	struct kvm_vcpu *vcpu;

	vm = vm_create_private_plain(ktap_vm_kind());
	r = converter_setup_region(&conv, vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_ANON, .gmem = GMEM_CREATE,
	}, true);
	require_separate_shared_backing(vm);
	converter_set_prealloc(&conv, true);
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	expect_resident(0, "before any conversion");

	guest_convert(vcpu, r->gpa, REGION_SIZE, true);
	TEST_ASSERT_EQ(conv.stats.preallocated, REGION_SIZE);
	expect_resident(all, "private, before the guest touched it");
	expect_guest(vcpu, r->gpa, REGION_SIZE, 0, "pre-allocated private");
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	expect_guest(vcpu, r->gpa, REGION_SIZE, SEED_PRIV, "private data");
	expect_resident(all, "private, after the guest wrote it");

	guest_convert(vcpu, r->gpa, REGION_SIZE, false);
	expect_resident(0, "shared again (punched)");
	expect_guest(vcpu, r->gpa, REGION_SIZE, 0, "shared after discard");
	/* A second trip allocates again, and only the range converted. */
	guest_convert(vcpu, r->gpa + SZ_2M, SZ_2M, true);
	TEST_ASSERT_EQ(conv.stats.preallocated, REGION_SIZE + SZ_2M);
	expect_resident(SZ_2M / SZ_4K, "second 2M private again");
	expect_guest(vcpu, r->gpa + SZ_2M, SZ_2M, 0, "private again");
	vm_free(vm);
}

/*
 * One guest_memfd bound by four 2M memslots at consecutive GPAs and file
 * offsets (upstream's private_mem_conversions_test -m 4).  Conversions
 * whose range crosses slot boundaries, with pre-allocation, convert and
 * allocate every slot's part and nothing more: each page is checked from
 * both sides and in the file's page cache; back to shared, the host data
 * of every slot reappears; one conversion of all four slots goes both
 * ways.
 */
#define NR_SLOTS	4
#define SLOT_SIZE	(REGION_SIZE / NR_SLOTS)

static bool in_spans(uint64_t off, const uint64_t (*spans)[2], unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (off >= spans[i][0] && off < spans[i][0] + spans[i][1])
			return true;
	return false;
}

static void one_gmem_across_memslots(void)
{
	static const uint64_t spans[][2] = {	/* offset, size */
		{ SLOT_SIZE - SZ_4K, 2 * SZ_4K },	/* slots 0 and 1 */
		{ 2 * SLOT_SIZE - 3 * SZ_4K, SLOT_SIZE + 6 * SZ_4K },
	};
	const uint64_t base = TEST_REGION_GPA;
	unsigned int i, n = 0;
	struct kvm_vcpu *vcpu;
	uint64_t off;
	int fd;

	vm = vm_create_private_plain(ktap_vm_kind());
	require_private_tracking(vm);
	require_separate_shared_backing(vm);
	fd = gmem_create(vm, REGION_SIZE, 0);
	for (i = 0; i < NR_SLOTS; i++) {
		r = vm_add_region(vm, &(struct region_spec){
			.gpa = base + i * SLOT_SIZE, .size = SLOT_SIZE,
			.backing = BACKING_ANON, .gmem = GMEM_BIND,
			.gmem_fd = fd, .gmem_offset = i * SLOT_SIZE,
		});
		host_fill(r->gpa, SLOT_SIZE, SEED_HOST);
	}
	converter_init(&conv, vm, vm_convert_path(vm), false);
	if (conv.path == CONVERT_GMEM_ATTR)
		TEST_ASSERT_ERRNO(convert_range(&conv, base, REGION_SIZE,
						false, NULL), 0,
				  "initial conversion of the four slots to "
				  "shared");
	converter_set_prealloc(&conv, true);
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);

	for (i = 0; i < ARRAY_SIZE(spans); i++) {
		guest_convert(vcpu, base + spans[i][0], spans[i][1], true);
		n += spans[i][1] / SZ_4K;
	}
	TEST_ASSERT_EQ(conv.stats.preallocated, n * SZ_4K);
	expect_allocated(fd, 0, REGION_SIZE, n, "2 ranges across slots "
			 "private");
	for (i = 0; i < ARRAY_SIZE(spans); i++)
		expect_allocated(fd, spans[i][0], spans[i][1],
				 spans[i][1] / SZ_4K, "one range");
	cmd(vcpu, GOP_FILL, base, REGION_SIZE, SEED_PRIV);
	for (off = 0; off < REGION_SIZE; off += SZ_4K) {
		bool priv = in_spans(off, spans, ARRAY_SIZE(spans));

		TEST_ASSERT(host_page_is(base + off, priv ? SEED_HOST :
					 SEED_PRIV), "slot %llu page +0x%llx "
			    "(%s): host sees 0x%llx",
			    (unsigned long long)(off / SLOT_SIZE),
			    (unsigned long long)(off % SLOT_SIZE),
			    priv ? "private" : "shared",
			    (unsigned long long)*host_word(base + off));
	}
	expect_guest(vcpu, base, REGION_SIZE, SEED_PRIV, "guest view");
	for (i = 0; i < ARRAY_SIZE(spans); i++) {
		guest_convert(vcpu, base + spans[i][0], spans[i][1], false);
		expect_guest(vcpu, base + spans[i][0], spans[i][1], SEED_HOST,
			     "converted back across slots");
	}
	/* All four slots in one request, both ways. */
	guest_convert(vcpu, base, REGION_SIZE, true);
	TEST_ASSERT_EQ(conv.stats.preallocated, n * SZ_4K + REGION_SIZE);
	expect_allocated(fd, 0, REGION_SIZE, REGION_SIZE / SZ_4K,
			 "all four slots private");
	cmd(vcpu, GOP_FILL, base, REGION_SIZE, SEED_SHARED);
	expect_guest(vcpu, base, REGION_SIZE, SEED_SHARED, "all slots "
		     "private");
	guest_convert(vcpu, base, REGION_SIZE, false);
	/* The shared copies: the host's data in the spans, else the guest's. */
	for (off = 0, i = 0; i <= ARRAY_SIZE(spans); i++) {
		uint64_t end = i < ARRAY_SIZE(spans) ? spans[i][0] :
			       REGION_SIZE;

		expect_guest(vcpu, base + off, end - off, SEED_PRIV,
			     "shared copy the guest wrote");
		if (i == ARRAY_SIZE(spans))
			break;
		expect_guest(vcpu, base + end, spans[i][1], SEED_HOST,
			     "shared copy the host wrote");
		off = end + spans[i][1];
	}
	vm_free(vm);
	close(fd);
}

/*
 * Partial ranges: the first page, the last page, and a range straddling
 * a 2M boundary go private; every page is then checked from both sides.
 */
static void partial_ranges_page_by_page(void)
{
	const struct { uint64_t off, size; } parts[] = {
		{ 0, SZ_4K },
		{ REGION_SIZE - SZ_4K, SZ_4K },
		{ SZ_2M - SZ_4K, 3 * SZ_4K },
		{ 2 * SZ_2M + 5 * SZ_4K, 17 * SZ_4K },
	};
	struct kvm_vcpu *vcpu;
	uint64_t off;
	unsigned int i;

	setup_conv(true, false);
	require_separate_shared_backing(vm);
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	for (i = 0; i < ARRAY_SIZE(parts); i++)
		guest_convert(vcpu, r->gpa + parts[i].off, parts[i].size, true);
	/* The guest writes everything: private pages land in guest_memfd. */
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	for (off = 0; off < REGION_SIZE; off += SZ_4K) {
		bool priv = false;

		for (i = 0; i < ARRAY_SIZE(parts); i++)
			priv |= off >= parts[i].off &&
				off < parts[i].off + parts[i].size;
		TEST_ASSERT(host_page_is(r->gpa + off,
					 priv ? SEED_HOST : SEED_PRIV),
			    "page +0x%llx (%s): host sees 0x%llx",
			    (unsigned long long)off,
			    priv ? "private" : "shared",
			    (unsigned long long)*host_word(r->gpa + off));
	}
	expect_guest(vcpu, r->gpa, REGION_SIZE, SEED_PRIV, "guest view");
	/* Back to shared without discard: the host data reappears. */
	for (i = 0; i < ARRAY_SIZE(parts); i++) {
		guest_convert(vcpu, r->gpa + parts[i].off, parts[i].size,
			      false);
		expect_guest(vcpu, r->gpa + parts[i].off, parts[i].size,
			     SEED_HOST, "converted back");
	}
	vm_free(vm);
}

/* Implicit conversion: a memory-fault exit fixed by the host, resumed. */
static void memory_fault_fixed_by_handler(void)
{
	struct kvm_vcpu *vcpu;
	struct guest_result res;

	setup_conv(false, false);
	vcpu = vm_vcpu_add_cmd(vm);
	*host_word(r->gpa + SZ_2M) = 0xc0ffee;
	TEST_ASSERT(!convert_range(&conv, r->gpa, REGION_SIZE, true, NULL),
		    "to private");
	res = cmd(vcpu, GOP_READ, r->gpa + SZ_2M, 0, 0);
	TEST_ASSERT_EQ(res.bad, 0xc0ffee);
	TEST_ASSERT_EQ(conv.stats.calls, 1);
	TEST_ASSERT_EQ(conv.stats.bytes, SZ_4K);
	vm_free(vm);
}

/* ---- Several vCPUs ------------------------------------------------------ */

#define NR_VCPUS	4
#define ROUNDS		8

static struct kvm_vcpu *vcpus[NR_VCPUS];

/* Each vCPU converts its own 2M slice back and forth, checking data. */
static void *disjoint_worker(struct kvm_vcpu *vcpu)
{
	uint64_t gpa = r->gpa + vcpu->id * SZ_2M, seed;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		seed = SEED_PRIV + vcpu->id * 0x100 + i;
		guest_convert(vcpu, gpa, SZ_2M, true);
		cmd(vcpu, GOP_FILL, gpa, SZ_2M, seed);
		guest_convert(vcpu, gpa, SZ_2M, false);
		expect_guest(vcpu, gpa, SZ_2M, SEED_HOST + i, "shared side");
		cmd(vcpu, GOP_FILL, gpa, SZ_2M, SEED_HOST + i + 1);
		guest_convert(vcpu, gpa, SZ_2M, true);
		expect_guest(vcpu, gpa, SZ_2M, seed, "private side kept");
		guest_convert(vcpu, gpa, SZ_2M, false);
	}
	return NULL;
}

static void concurrent_disjoint_ranges(void)
{
	unsigned int i;

	setup_conv(true, false);
	require_separate_shared_backing(vm);
	vm_enable_map_gpa_exits(vm);
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	for (i = 0; i < NR_VCPUS; i++)
		vcpus[i] = vm_vcpu_add_cmd(vm);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_thread_start(vcpus[i], disjoint_worker);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_thread_join(vcpus[i]);
	TEST_ASSERT_EQ(conv.stats.calls, NR_VCPUS * ROUNDS * 4);
	TEST_ASSERT_EQ(conv.stats.refused, 0);
	vm_free(vm);
}

/* All vCPUs flip the same range in opposite directions at once. */
static void *overlap_worker(struct kvm_vcpu *vcpu)
{
	unsigned int i;

	for (i = 0; i < 4 * ROUNDS; i++)
		guest_convert(vcpu, r->gpa + (vcpu->id & 1) * SZ_4K,
			      REGION_SIZE - SZ_2M, (i + vcpu->id) & 1);
	return NULL;
}

/*
 * The storm on the VM set up: every vCPU runs overlap_worker; then, from
 * vCPU 0, the whole region shared, filled with SEED_SHARED (the host must
 * see it) and back to private.  vCPU 0 is returned for the checks.
 */
static struct kvm_vcpu *overlap_storm(void)
{
	struct kvm_vcpu *checker;
	unsigned int i;

	vm_enable_map_gpa_exits(vm);
	for (i = 0; i < NR_VCPUS; i++)
		vcpus[i] = vm_vcpu_add_cmd(vm);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_thread_start(vcpus[i], overlap_worker);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_thread_join(vcpus[i]);
	TEST_ASSERT_EQ(conv.stats.calls, NR_VCPUS * 4 * ROUNDS);
	TEST_ASSERT_EQ(conv.stats.refused, 0);
	/* Whatever order they ran in, an explicit state is exact again. */
	checker = vcpus[0];
	guest_convert(checker, r->gpa, REGION_SIZE, false);
	cmd(checker, GOP_FILL, r->gpa, REGION_SIZE, SEED_SHARED);
	TEST_ASSERT(host_page_is(r->gpa + REGION_SIZE - SZ_4K, SEED_SHARED),
		    "host does not see shared data after the storm");
	guest_convert(checker, r->gpa, REGION_SIZE, true);
	return checker;
}

static void concurrent_overlapping_ranges(void)
{
	struct kvm_vcpu *checker;

	setup_conv(true, true);
	require_separate_shared_backing(vm);
	checker = overlap_storm();
	/* Discard on: the private side is fresh. */
	expect_guest(checker, r->gpa, REGION_SIZE, 0, "private after storm");
	vm_free(vm);
}

/* ---- map_gpa_decode: the pure part of the handler ------------------------ */

static void map_gpa_decode_table(void)
{
	const struct {
		uint64_t gpa, npages, attrs;
		int err;
		bool priv;
		unsigned int hint;
	} t[] = {
		{ 0x1000, 1, 0x10, 0, true, 0 },
		{ 0x200000, 512, 0x11, 0, true, 1 },
		{ 0x40000000, 262144, 0x02, 0, false, 2 },
		{ 0x1000, 1, 0x03, EINVAL, false, 0 },	/* size code 3 */
		{ 0x1000, 1, 0x20, EINVAL, false, 0 },	/* bit 5 */
		{ 0x1000, 0, 0x10, EINVAL, false, 0 },
		{ 0x1008, 1, 0x10, EINVAL, false, 0 },
		{ ~0ULL & ~0xfffULL, 2, 0x10, EINVAL, false, 0 },
	};
	struct map_gpa_req req;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		int err = map_gpa_decode(t[i].gpa, t[i].npages, t[i].attrs,
					 &req);

		TEST_ASSERT(err == t[i].err, "row %u: expected %s, got %s", i,
			    errno_name(t[i].err), errno_name(err));
		if (err)
			continue;
		TEST_ASSERT_EQ(req.size, t[i].npages << 12);
		TEST_ASSERT_EQ(req.to_private, t[i].priv);
		TEST_ASSERT_EQ(req.page_size_hint, t[i].hint);
	}
}

/* ---- In-place path: PRIVATE tracked per guest_memfd --------------------- */
/*
 * One guest_memfd holds shared and private pages; the shared ones are
 * mmap-able, private ones SIGBUS the host.  Written against the series'
 * documented uAPI (KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd fd, RFC
 * v4 2026-03); skips with the reason where the kernel lacks it.
 */

static sigjmp_buf bus_jmp;

static void bus_handler(int sig __unused)
{
	siglongjmp(bus_jmp, 1);
}

/* Does a host access (a read, or a write of v) to *p raise SIGBUS? */
static bool __host_sigbus(volatile uint64_t *p, bool write, uint64_t v)
{
	struct sigaction sa = { .sa_handler = bus_handler }, old;
	bool bus = false;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1))
		bus = true;
	else if (write)
		*p = v;
	else
		(void)*p;
	sigaction(SIGBUS, &old, NULL);
	return bus;
}

static bool host_sigbus(volatile uint64_t *p)
{
	return __host_sigbus(p, false, 0);
}

static bool host_write_sigbus(volatile uint64_t *p, uint64_t v)
{
	return __host_sigbus(p, true, v);
}

/* SW_PROTECTED VM, guest_memfd-only region mapped from the guest_memfd. */
static void setup_in_place(bool init_shared)
{
	struct kvm_vm *def = vm_create(KVM_X86_DEFAULT_VM);
	bool present = gmem_has_attributes_ioctl(def);

	/* Name the ioctl first: it is what a kernel without the series lacks. */
	vm_free(def);
	TEST_REQUIRE(present, "KVM_SET_MEMORY_ATTRIBUTES2 on guest_memfd %s",
		     gmem_attr_absent_reason());
	vm = vm_create_private_plain(ktap_vm_kind());
	require_gmem_attributes(vm);
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_GMEM, .gmem = GMEM_CREATE,
		.gmem_flags = GUEST_MEMFD_FLAG_MMAP |
			      (init_shared ? GUEST_MEMFD_FLAG_INIT_SHARED : 0),
	});
	converter_init(&conv, vm, CONVERT_GMEM_ATTR, false);
}

static void gmem_convert(uint64_t off, uint64_t size, bool to_private)
{
	uint64_t err_gpa = 0;
	int err = convert_range(&conv, r->gpa + off, size, to_private,
				&err_gpa);

	TEST_ASSERT(!err, "in-place conversion of [+0x%llx, +0x%llx) to %s: "
		    "%s (error at gpa 0x%llx)", (unsigned long long)off,
		    (unsigned long long)size, to_private ? "private" : "shared",
		    errno_name(err), (unsigned long long)err_gpa);
}

/* Default state: INIT_SHARED maps for the host; without it, private. */
static void inplace_default_state(void)
{
	struct kvm_vcpu *vcpu;

	setup_in_place(true);
	vcpu = vm_vcpu_add_cmd(vm);
	TEST_ASSERT(!host_sigbus(r->hva), "INIT_SHARED page not mappable");
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	expect_guest(vcpu, r->gpa, REGION_SIZE, SEED_HOST, "INIT_SHARED");
	vm_free(vm);

	setup_in_place(false);
	vcpu = vm_vcpu_add_cmd(vm);
	TEST_ASSERT(host_sigbus(r->hva), "a page of a guest_memfd without "
		    "INIT_SHARED was mappable (should start private)");
	expect_guest(vcpu, r->gpa, REGION_SIZE, 0, "initially private");
	vm_free(vm);
}

/*
 * Contents survive shared -> private -> shared on SW_PROTECTED VMs; the
 * host can neither read nor write a page while it is private.
 */
static void inplace_contents_preserved(void)
{
	struct kvm_vcpu *vcpu;

	setup_in_place(true);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	gmem_convert(0, REGION_SIZE, true);
	TEST_ASSERT(host_sigbus(host_word(r->gpa + SZ_2M)),
		    "private page still mappable by the host");
	TEST_ASSERT(host_write_sigbus(host_word(r->gpa + SZ_2M), ~0ULL),
		    "the host wrote to a private page");
	expect_guest(vcpu, r->gpa, REGION_SIZE, SEED_HOST,
		     "shared -> private kept the data (the refused host "
		     "write changed nothing)");
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	gmem_convert(0, REGION_SIZE, false);
	TEST_ASSERT(host_page_is(r->gpa + REGION_SIZE - SZ_4K, SEED_PRIV),
		    "private -> shared lost the guest's data");
	vm_free(vm);
}

/* Subranges at many offsets: the host faults exactly on private pages. */
static void inplace_subrange_indexing(void)
{
	uint64_t off, npages = REGION_SIZE / SZ_4K;

	setup_in_place(true);
	/* Every third page private, then every fifth back to shared. */
	for (off = 0; off < npages; off += 3)
		gmem_convert(off * SZ_4K, SZ_4K, true);
	for (off = 0; off < npages; off += 5)
		gmem_convert(off * SZ_4K, SZ_4K, false);
	for (off = 0; off < npages; off++) {
		bool priv = !(off % 3) && (off % 5);

		TEST_ASSERT(host_sigbus(host_word(r->gpa + off * SZ_4K)) ==
			    priv, "page %llu: host %s, expected %s",
			    (unsigned long long)off,
			    priv ? "could map it" : "got SIGBUS",
			    priv ? "private" : "shared");
	}
	vm_free(vm);
}

/*
 * One page of four private at a time, each in turn: every page's data
 * follows its own index.  The guest reads all four (its own data on each),
 * the host reads the three shared ones and faults on the private one;
 * what the guest writes to the private page is what the host reads there
 * once it is shared again, and the neighbours are untouched.
 */
static void inplace_single_page_among_shared(void)
{
	const uint64_t n = 4, tag = 0x1dea0000;
	struct kvm_vcpu *vcpu;
	uint64_t i, j, v;

	setup_in_place(true);
	vcpu = vm_vcpu_add_cmd(vm);
	for (i = 0; i < n; i++)
		*host_word(r->gpa + i * SZ_4K) = tag + i;
	for (i = 0; i < n; i++) {
		gmem_convert(i * SZ_4K, SZ_4K, true);
		for (j = 0; j < n; j++) {
			uint64_t want = tag + j + (j < i ? 0x100 : 0);

			v = cmd(vcpu, GOP_READ, r->gpa + j * SZ_4K, 0, 0).bad;
			TEST_ASSERT(v == want, "page %llu private: guest reads "
				    "page %llu as 0x%llx, expected 0x%llx",
				    (unsigned long long)i,
				    (unsigned long long)j,
				    (unsigned long long)v,
				    (unsigned long long)want);
			TEST_ASSERT(host_sigbus(host_word(r->gpa + j * SZ_4K))
				    == (i == j), "page %llu private: host "
				    "access to page %llu %s",
				    (unsigned long long)i,
				    (unsigned long long)j, i == j ?
				    "succeeded" : "faulted");
		}
		cmd(vcpu, GOP_WRITE, r->gpa + i * SZ_4K, 0, tag + i + 0x100);
		gmem_convert(i * SZ_4K, SZ_4K, false);
		for (j = 0; j < n; j++) {
			uint64_t want = tag + j + (j <= i ? 0x100 : 0);

			v = *host_word(r->gpa + j * SZ_4K);
			TEST_ASSERT(v == want, "after page %llu's round trip "
				    "the host reads page %llu as 0x%llx, "
				    "expected 0x%llx", (unsigned long long)i,
				    (unsigned long long)j,
				    (unsigned long long)v,
				    (unsigned long long)want);
		}
	}
	vm_free(vm);
}

/*
 * PUNCH_HOLE on a shared page of an in-place guest_memfd: the host reads
 * 0 there, the page stays shared (mappable, not SIGBUS), takes the host's
 * new data, and the guest reads that; the neighbours keep theirs.
 */
static void inplace_punch_shared_page(void)
{
	struct kvm_vcpu *vcpu;

	setup_in_place(true);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill(r->gpa, 3 * SZ_4K, SEED_HOST);
	gmem_punch_hole(r->gmem_fd, SZ_4K, SZ_4K);
	TEST_ASSERT(!host_sigbus(host_word(r->gpa + SZ_4K)), "a punched "
		    "shared page faults for the host: it went private");
	TEST_ASSERT_EQ(*host_word(r->gpa + SZ_4K), 0);
	*host_word(r->gpa + SZ_4K) = 0xfeed;
	TEST_ASSERT_EQ(cmd(vcpu, GOP_READ, r->gpa + SZ_4K, 0, 0).bad, 0xfeed);
	expect_guest(vcpu, r->gpa, SZ_4K, SEED_HOST, "page before the hole");
	expect_guest(vcpu, r->gpa + 2 * SZ_4K, SZ_4K, SEED_HOST,
		     "page after the hole");
	vm_free(vm);
}

/*
 * A range whose first pages already have the attribute converts the rest
 * too (the "already done" shortcut must look at every page), both ways.
 */
static void inplace_partly_converted_range(void)
{
	uint64_t off;

	setup_in_place(true);
	gmem_convert(0, 2 * SZ_4K, true);
	gmem_convert(0, REGION_SIZE, true);
	for (off = 0; off < REGION_SIZE; off += SZ_4K)
		TEST_ASSERT(host_sigbus(host_word(r->gpa + off)), "page +0x%llx"
			    " still mappable after converting a range whose "
			    "first pages were already private",
			    (unsigned long long)off);
	gmem_convert(0, SZ_4K, false);
	gmem_convert(0, REGION_SIZE, false);
	for (off = 0; off < REGION_SIZE; off += SZ_4K)
		TEST_ASSERT(!host_sigbus(host_word(r->gpa + off)), "page "
			    "+0x%llx still private after converting a range "
			    "whose first page was already shared",
			    (unsigned long long)off);
	vm_free(vm);
}

/* Converting before any page is allocated, then touching both sides. */
static void inplace_before_allocation(void)
{
	struct kvm_vcpu *vcpu;

	setup_in_place(true);
	vcpu = vm_vcpu_add_cmd(vm);
	gmem_convert(SZ_2M, SZ_2M, true);
	expect_guest(vcpu, r->gpa + SZ_2M, SZ_2M, 0, "never-allocated private");
	TEST_ASSERT_EQ(*host_word(r->gpa), 0);
	TEST_ASSERT(host_sigbus(host_word(r->gpa + SZ_2M)), "private page "
		    "mappable");
	vm_free(vm);
}

/*
 * A guest_memfd without INIT_SHARED starts private; a page of it that was
 * never allocated, converted to shared, reads 0 from the host, and what
 * the host writes there the guest reads.
 */
static void inplace_before_allocation_to_shared(void)
{
	struct kvm_vcpu *vcpu;

	setup_in_place(false);
	vcpu = vm_vcpu_add_cmd(vm);
	gmem_convert(SZ_2M, SZ_4K, false);
	TEST_ASSERT(!host_sigbus(host_word(r->gpa + SZ_2M)), "page converted "
		    "to shared is not mappable");
	TEST_ASSERT_EQ(*host_word(r->gpa + SZ_2M), 0);
	*host_word(r->gpa + SZ_2M) = 0x5eed;
	TEST_ASSERT_EQ(cmd(vcpu, GOP_READ, r->gpa + SZ_2M, 0, 0).bad, 0x5eed);
	TEST_ASSERT(host_sigbus(host_word(r->gpa + SZ_2M + SZ_4K)), "the next "
		    "page became mappable too");
	vm_free(vm);
}

/*
 * A range where only some pages were ever allocated (the host wrote the
 * even ones while shared): to private, the guest reads the host's data on
 * the allocated pages and 0 on the others; back to shared, the host reads
 * what the guest wrote on every page.
 */
static void inplace_partly_allocated_range(void)
{
	const uint64_t n = REGION_SIZE / SZ_4K;
	struct kvm_vcpu *vcpu;
	uint64_t i, v;

	setup_in_place(true);
	vcpu = vm_vcpu_add_cmd(vm);
	for (i = 0; i < n; i += 2)
		*host_word(r->gpa + i * SZ_4K) = 0xa110c000 + i;
	gmem_convert(0, REGION_SIZE, true);
	for (i = 0; i < n; i++) {
		v = cmd(vcpu, GOP_READ, r->gpa + i * SZ_4K, 0, 0).bad;
		TEST_ASSERT(v == (i % 2 ? 0 : 0xa110c000 + i), "page %llu "
			    "(%s) reads 0x%llx after going private",
			    (unsigned long long)i, i % 2 ? "never allocated" :
			    "allocated", (unsigned long long)v);
	}
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	gmem_convert(0, REGION_SIZE, false);
	for (i = 0; i < n; i++)
		TEST_ASSERT(host_page_is(r->gpa + i * SZ_4K, SEED_PRIV), "page "
			    "%llu lost the guest's data going shared",
			    (unsigned long long)i);
	vm_free(vm);
}

/* PUNCH_HOLE zeroes private pages and keeps them private. */
static void inplace_punch_keeps_attribute(void)
{
	struct kvm_vcpu *vcpu;

	setup_in_place(true);
	vcpu = vm_vcpu_add_cmd(vm);
	gmem_convert(0, REGION_SIZE, true);
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	gmem_punch_hole(r->gmem_fd, 0, REGION_SIZE);
	expect_guest(vcpu, r->gpa, REGION_SIZE, 0, "after punching");
	TEST_ASSERT(host_sigbus(r->hva), "punched page became shared");
	vm_free(vm);
}

/*
 * A forked child's inherited mapping obeys conversions too.  The child
 * reads and writes the page while it is shared, so it has its own page
 * table entry (fork copies none for a shared file mapping): the parent's
 * conversion must zap it, and the child's next read and write fault.
 * Exit status: 0 as expected, 1 read went through, 2 write went through,
 * 3 the shared page was not usable before the conversion.
 */
static void inplace_forked_child_mapping(void)
{
	int status;
	pid_t pid;

	setup_in_place(true);
	host_fill(r->gpa, SZ_2M, SEED_HOST);
	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork");
	if (!pid) {
		volatile uint64_t *p = r->hva;

		if (host_sigbus(p) || host_write_sigbus(p, *p + 1))
			_exit(3);
		/* Wait for the parent's conversion, then touch again. */
		raise(SIGSTOP);
		if (!host_sigbus(p))
			_exit(1);
		_exit(host_write_sigbus(p, 0) ? 0 : 2);
	}
	waitpid(pid, &status, WUNTRACED);
	gmem_convert(0, SZ_2M, true);
	kill(pid, SIGCONT);
	waitpid(pid, &status, 0);
	TEST_ASSERT(WIFEXITED(status) && !WEXITSTATUS(status),
		    "child: %s", !WIFEXITED(status) ? "killed" :
		    WEXITSTATUS(status) == 1 ? "read a page converted to "
		    "private through its established mapping" :
		    WEXITSTATUS(status) == 2 ? "wrote a page converted to "
		    "private" : WEXITSTATUS(status) == 3 ? "could not use the "
		    "page while it was shared" : "unexpected exit status");
	TEST_ASSERT_EQ(cmd(vm_vcpu_add_cmd(vm), GOP_READ, r->gpa, 0, 0).bad,
		       guest_pattern(SEED_HOST, r->gpa) + 1);
	vm_free(vm);
}

struct pin_longterm_test {
	uint64_t addr;
	uint64_t size;
	uint32_t flags;
};
#define PIN_LONGTERM_TEST_START	_IOW('g', 7, struct pin_longterm_test)
#define PIN_LONGTERM_TEST_STOP	_IO('g', 8)

/*
 * A long-term pin (gup_test, CONFIG_GUP_TEST) holds a reference:
 * shared -> private must fail with EAGAIN and error_offset naming the
 * pinned page, and succeed once the pin is dropped.
 */
static void inplace_pinned_page_eagain(void)
{
	struct pin_longterm_test pin = { .size = SZ_4K, .flags = 1 };
	uint64_t err_off = 0, pinned = 5 * SZ_4K;
	int gup, err;

	setup_in_place(true);
	gup = open("/sys/kernel/debug/gup_test", O_RDWR | O_CLOEXEC);
	TEST_REQUIRE(gup >= 0, "/sys/kernel/debug/gup_test missing: kernel "
		     "without CONFIG_GUP_TEST, or debugfs not mounted");
	*host_word(r->gpa + pinned) = 1;
	pin.addr = (uintptr_t)host_word(r->gpa + pinned);
	TEST_ASSERT(!ioctl(gup, PIN_LONGTERM_TEST_START, &pin),
		    "PIN_LONGTERM_TEST_START");
	err = __gmem_set_attributes(r->gmem_fd, 0, SZ_2M,
				    KVM_MEMORY_ATTRIBUTE_PRIVATE, 0, &err_off);
	TEST_ASSERT(err == EAGAIN, "converting a range with a pinned page: "
		    "expected EAGAIN, got %s", errno_name(err));
	TEST_ASSERT_EQ(err_off, pinned);
	TEST_ASSERT(!ioctl(gup, PIN_LONGTERM_TEST_STOP), "unpinning");
	close(gup);
	gmem_convert(0, SZ_2M, true);
	vm_free(vm);
}

/*
 * Page by page around a pinned page: while the pin is held, the pinned
 * page alone is refused (EAGAIN, error_offset on it) and every neighbour
 * converts; once unpinned the pinned page converts too, and every page
 * kept its data (in place: the guest reads what the host wrote).
 */
static void inplace_pinned_page_neighbours(void)
{
	struct pin_longterm_test pin = { .size = SZ_4K, .flags = 1 };
	const uint64_t pinned = 5 * SZ_4K, span = 16 * SZ_4K;
	uint64_t off, err_off;
	struct kvm_vcpu *vcpu;
	int gup, err;

	setup_in_place(true);
	gup = open("/sys/kernel/debug/gup_test", O_RDWR | O_CLOEXEC);
	TEST_REQUIRE(gup >= 0, "/sys/kernel/debug/gup_test missing: kernel "
		     "without CONFIG_GUP_TEST, or debugfs not mounted");
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill_pattern(host_word(r->gpa), r->gpa, span, SEED_HOST);
	pin.addr = (uintptr_t)host_word(r->gpa + pinned);
	TEST_ASSERT(!ioctl(gup, PIN_LONGTERM_TEST_START, &pin),
		    "PIN_LONGTERM_TEST_START");
	for (off = 0; off < span; off += SZ_4K) {
		err_off = 0;
		err = __gmem_set_attributes(r->gmem_fd, off, SZ_4K,
					    KVM_MEMORY_ATTRIBUTE_PRIVATE, 0,
					    &err_off);
		if (off == pinned) {
			TEST_ASSERT(err == EAGAIN && err_off == pinned,
				    "the pinned page alone: %s, error_offset "
				    "0x%llx", errno_name(err),
				    (unsigned long long)err_off);
			continue;
		}
		TEST_ASSERT(!err, "page +0x%llx next to the pinned one: %s",
			    (unsigned long long)off, errno_name(err));
	}
	TEST_ASSERT(!ioctl(gup, PIN_LONGTERM_TEST_STOP), "unpinning");
	close(gup);
	gmem_convert(pinned, SZ_4K, true);
	expect_guest(vcpu, r->gpa, span, SEED_HOST, "after converting page by "
		     "page around the pin");
	vm_free(vm);
}

/* One KVM_SET_MEMORY_ATTRIBUTES2 argument set and the errno it must get. */
struct attr2_row {
	const char *what;
	uint64_t offset, size, attributes, flags, error_offset;
	int reserved;		/* index of a reserved word set to 1, or -1 */
	int err;
};

static int attr2_call(const struct attr2_row *row)
{
	struct kvm_memory_attributes2 a = {
		.offset = row->offset, .size = row->size,
		.attributes = row->attributes, .flags = row->flags,
		.error_offset = row->error_offset,
	};

	if (row->reserved >= 0)
		a.reserved[row->reserved] = 1;
	return __gmem_set_attributes2(r->gmem_fd, &a);
}

#define PRIV	KVM_MEMORY_ATTRIBUTE_PRIVATE
#define NR_RESERVED \
	ARRAY_SIZE(((struct kvm_memory_attributes2 *)NULL)->reserved)

/*
 * KVM_SET_MEMORY_ATTRIBUTES2 argument checking, every row reported.
 * offset and size are u64 compared with a loff_t i_size: the rows come
 * from their type's edges (lib/kvm/bounds.c: both sides of i_size, of the
 * loff_t sign bit and of 2^64, sums that wrap or turn negative), plus
 * every flags bit, every attribute bit and every reserved word.  Refused
 * rows must convert nothing (every page stays mappable); the in-range
 * edge rows must succeed (as shared: a no-op); then PRIVATE on chosen
 * pages must land exactly there.  error_offset is output only (v8
 * ignores it on input; api.rst marks it "out").
 */
static void inplace_invalid_args_einval(void)
{
	struct bound_row edges[BOUND_ROWS_MAX];
	const struct attr2_row good[] = {
		{ "first page", 0, SZ_4K, PRIV, 0, 0, -1, 0 },
		{ "last page (ends at i_size)", REGION_SIZE - SZ_4K, SZ_4K,
		  PRIV, 0, 0, -1, 0 },
		{ "error_offset 4K on input (output only)", SZ_4K, SZ_4K, PRIV,
		  0, SZ_4K, -1, 0 },
		{ "error_offset 2^64 - 1 on input", 2 * SZ_4K, SZ_4K, PRIV, 0,
		  ~0ULL, -1, 0 },
	};
	struct attr2_row row;
	unsigned int i, nr_edges, n = 0, wrong = 0;
	uint64_t off, leaked = 0, first_leak = 0;
	char what[96];

	setup_in_place(true);
	nr_edges = bound_rows(0, REGION_SIZE, SZ_4K, edges);
	for (i = 0; i < nr_edges; i++, n++) {
		row = (struct attr2_row){ what, edges[i].off, edges[i].size,
					  edges[i].in_range ? 0 : PRIV, 0, 0,
					  -1, edges[i].in_range ? 0 : EINVAL };
		snprintf(what, sizeof(what), "%s%s", edges[i].what,
			 edges[i].in_range ? " (to shared: no-op)" : "");
		wrong += table_row(n, what, row.err, attr2_call(&row));
	}
	for (i = 0; i < 64; i++, n++) {
		row = (struct attr2_row){ what, 0, SZ_4K, PRIV, 1ULL << i, 0,
					  -1, EINVAL };
		snprintf(what, sizeof(what), "flags bit %u", i);
		wrong += table_row(n, what, EINVAL, attr2_call(&row));
	}
	for (i = 0; i < 64; i++) {
		if (1ULL << i == PRIV)
			continue;
		row = (struct attr2_row){ what, 0, SZ_4K, 1ULL << i, 0, 0, -1,
					  EINVAL };
		snprintf(what, sizeof(what), "attribute bit %u", i);
		wrong += table_row(n++, what, EINVAL, attr2_call(&row));
	}
	for (i = 0; i < NR_RESERVED; i++, n++) {
		row = (struct attr2_row){ what, 0, SZ_4K, PRIV, 0, 0, i,
					  EINVAL };
		snprintf(what, sizeof(what), "reserved[%u] = 1", i);
		wrong += table_row(n, what, EINVAL, attr2_call(&row));
	}
	/* Nothing refused may have converted anything (checked below). */
	for (off = 0; off < REGION_SIZE; off += SZ_4K)
		if (host_sigbus(host_word(r->gpa + off)) && !leaked++)
			first_leak = off;
	for (i = 0; i < ARRAY_SIZE(good); i++, n++)
		wrong += table_row(n, good[i].what, good[i].err,
				   attr2_call(&good[i]));
	TEST_ASSERT_TABLE(wrong, n, "KVM_SET_MEMORY_ATTRIBUTES2 arguments");
	TEST_ASSERT(!leaked, "%llu pages became private although every call "
		    "before was refused, first +0x%llx",
		    (unsigned long long)leaked, (unsigned long long)first_leak);
	/* The valid rows converted exactly their pages. */
	for (i = 0; i < ARRAY_SIZE(good); i++)
		TEST_ASSERT(host_sigbus(host_word(r->gpa + good[i].offset)),
			    "%s: page +0x%llx still mappable", good[i].what,
			    (unsigned long long)good[i].offset);
	TEST_ASSERT(!host_sigbus(host_word(r->gpa + 3 * SZ_4K)), "page +0x3000"
		    " became private: no row named it");
	vm_free(vm);
}

/* Converting to the current attribute is a successful no-op. */
static void inplace_same_attribute_noop(void)
{
	struct kvm_vcpu *vcpu;

	setup_in_place(true);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	gmem_convert(0, REGION_SIZE, false);
	TEST_ASSERT(host_page_is(r->gpa, SEED_HOST), "shared -> shared lost "
		    "data");
	gmem_convert(0, REGION_SIZE, true);
	gmem_convert(0, REGION_SIZE, true);
	expect_guest(vcpu, r->gpa, REGION_SIZE, SEED_HOST, "private twice");
	vm_free(vm);
}

/* The guest asks (KVM_HC_MAP_GPA_RANGE); the handler uses guest_memfd. */
static void inplace_guest_driven_round_trip(void)
{
	struct kvm_vcpu *vcpu;

	setup_in_place(true);
	vm_enable_map_gpa_exits(vm);
	vcpu = vm_vcpu_add_cmd(vm);
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	guest_convert(vcpu, r->gpa, REGION_SIZE, true);
	TEST_ASSERT(host_sigbus(r->hva), "guest-requested private page "
		    "still mappable");
	cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	guest_convert(vcpu, r->gpa, REGION_SIZE, false);
	TEST_ASSERT(host_page_is(r->gpa + SZ_2M, SEED_PRIV), "host does not "
		    "see the guest's private data after converting back");
	vm_free(vm);
}

/*
 * Several vCPUs convert their own 2M slices of one in-place guest_memfd
 * back and forth at once (the in-place counterpart of
 * concurrent_disjoint_ranges): one copy of each page, so every
 * conversion keeps what was written last, on either side.
 */
static void *inplace_disjoint_worker(struct kvm_vcpu *vcpu)
{
	uint64_t gpa = r->gpa + vcpu->id * SZ_2M, seed, last = SEED_HOST;
	unsigned int i;

	for (i = 0; i < ROUNDS; i++) {
		seed = SEED_PRIV + vcpu->id * 0x100 + i;
		guest_convert(vcpu, gpa, SZ_2M, true);
		expect_guest(vcpu, gpa, SZ_2M, last, "kept going private");
		cmd(vcpu, GOP_FILL, gpa, SZ_2M, seed);
		guest_convert(vcpu, gpa, SZ_2M, false);
		expect_guest(vcpu, gpa, SZ_2M, seed, "kept going shared");
		last = SEED_HOST + i + 1;
		cmd(vcpu, GOP_FILL, gpa, SZ_2M, last);
	}
	return NULL;
}

static void inplace_concurrent_disjoint_ranges(void)
{
	unsigned int i;

	setup_in_place(true);
	vm_enable_map_gpa_exits(vm);
	host_fill(r->gpa, REGION_SIZE, SEED_HOST);
	for (i = 0; i < NR_VCPUS; i++)
		vcpus[i] = vm_vcpu_add_cmd(vm);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_thread_start(vcpus[i], inplace_disjoint_worker);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_thread_join(vcpus[i]);
	TEST_ASSERT_EQ(conv.stats.calls, NR_VCPUS * ROUNDS * 2);
	TEST_ASSERT_EQ(conv.stats.refused, 0);
	for (i = 0; i < NR_VCPUS; i++)
		TEST_ASSERT(host_page_is(r->gpa + i * SZ_2M + SZ_2M - SZ_4K,
					 SEED_HOST + ROUNDS),
			    "slice %u: the host does not see the guest's last "
			    "shared write", i);
	vm_free(vm);
}

/*
 * All vCPUs flip one range of an in-place guest_memfd in opposite
 * directions at once; whatever order they ran in, an explicit state
 * afterwards is exact, and the data written then survives a conversion.
 */
static void inplace_concurrent_overlapping_ranges(void)
{
	struct kvm_vcpu *checker;

	setup_in_place(true);
	checker = overlap_storm();
	TEST_ASSERT(host_sigbus(r->hva), "private after the storm but the "
		    "host still maps it");
	expect_guest(checker, r->gpa, REGION_SIZE, SEED_SHARED, "the shared "
		     "data, in place, after going private");
	vm_free(vm);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(map_gpa_decode_table),
	KTAP_CASE(vm_attr_invalid_ranges_einval),
	KTAP_CASE(vm_attr_unknown_bits_einval),
	KTAP_CASE(vm_attr_without_memslot_and_repeat),
	KTAP_CASE(map_gpa_without_cap_enosys),
	KTAP_CASE(map_gpa_bad_ranges_refused),
	KTAP_CASE(map_gpa_exit_carries_arguments),
	KTAP_CASE(map_gpa_unknown_attrs_refused),
	KTAP_CASE(guest_round_trip_with_discard),
	KTAP_CASE(guest_private_preallocated),
	KTAP_CASE(partial_ranges_page_by_page),
	KTAP_CASE(one_gmem_across_memslots),
	KTAP_CASE(memory_fault_fixed_by_handler),
	KTAP_CASE(concurrent_disjoint_ranges),
	KTAP_CASE(concurrent_overlapping_ranges),
	KTAP_CASE(inplace_default_state),
	KTAP_CASE(inplace_contents_preserved),
	KTAP_CASE(inplace_subrange_indexing),
	KTAP_CASE(inplace_single_page_among_shared),
	KTAP_CASE(inplace_punch_shared_page),
	KTAP_CASE(inplace_partly_converted_range),
	KTAP_CASE(inplace_before_allocation),
	KTAP_CASE(inplace_before_allocation_to_shared),
	KTAP_CASE(inplace_partly_allocated_range),
	KTAP_CASE(inplace_punch_keeps_attribute),
	KTAP_CASE(inplace_forked_child_mapping),
	KTAP_CASE(inplace_pinned_page_eagain),
	KTAP_CASE(inplace_pinned_page_neighbours),
	KTAP_CASE(inplace_invalid_args_einval),
	KTAP_CASE(inplace_same_attribute_noop),
	KTAP_CASE(inplace_guest_driven_round_trip),
	KTAP_CASE(inplace_concurrent_disjoint_ranges),
	KTAP_CASE(inplace_concurrent_overlapping_ranges),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
