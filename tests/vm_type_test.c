// SPDX-License-Identifier: GPL-2.0
/*
 * The VM-type machinery, run for real wherever it can be:
 *
 * - mechanisms confidential guests depend on, exercised in default VMs:
 *   the shared-page ucall channel, the guest's own page-table updates
 *   (what flips the C-bit / shared bit), the boot stub TDX vCPUs start in
 *   (entered here from the TDX reset state set by hand);
 * - one guest that runs, and one that converts memory shared <-> private
 *   through its VM type's path (hypercall, SNP page-state change, TDX
 *   MapGPA + ACCEPT) with the one host conversion handler, on the VM type
 *   --vm-type selects (sw_protected by default: real inside vmcheck; snp
 *   and tdx skip with the reason wherever the hardware is absent).
 */
#include <stdio.h>

#include "boot_stub.h"
#include "coco_guest.h"
#include "convert.h"
#include "gmem.h"
#include "guest_ops.h"
#include "kvm_util.h"
#include "ktap.h"
#include "probe.h"
#include "processor.h"

#define REGION_GPA	TEST_REGION_GPA
#define REGION_PAGES	16ULL
#define REGION_SIZE	(REGION_PAGES * SZ_4K)

GUEST_CODE_BEGIN

static const int shared_assert_line = __LINE__ + 6;

static void guest_shared_ucalls(uint64_t a, uint64_t b)
{
	GUEST_SYNC_ARGS(a, b, a + b, this_vcpu()->id);
	GUEST_SYNC_ARGS(this_vcpu()->ucall_gpa, 0);
	__GUEST_ASSERT(a == b, "a = %lu, b = %lu", a, b);
	GUEST_DONE();
}

static void guest_write_protect(uint64_t gpa)
{
	*(volatile uint64_t *)gpa = 1;
	GUEST_SYNC(guest_pte_update(gpa, SZ_4K, 0, PTE_RW));
	/* Reads still work; the write must fault now. */
	GUEST_SYNC(*(volatile uint64_t *)gpa);
	*(volatile uint64_t *)gpa = 2;
	GUEST_FAIL("write to a write-protected page did not fault");
}

static void guest_partial_leaf(uint64_t gpa)
{
	/* A 4K update inside a 2M leaf would need a split: refused. */
	GUEST_SYNC(guest_pte_update(gpa + SZ_4K, SZ_4K, 0, PTE_RW));
	/* The whole leaf is fine; restore it right away. */
	GUEST_SYNC(guest_pte_update(gpa, SZ_2M, 0, PTE_RW) |
		   guest_pte_update(gpa, SZ_2M, PTE_RW, 0));
	GUEST_SYNC(guest_pte_update(0x7f0000000000ULL, SZ_4K, 0, PTE_RW));
	GUEST_DONE();
}

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	if (n == 0)
		__asm__ __volatile__("mov %%cr0, %0" : "=r"(v));
	else if (n == 3)
		__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	else if (n == 4)
		__asm__ __volatile__("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void guest_booted(uint64_t a, uint64_t b, uint64_t c, uint64_t d,
			 uint64_t e, uint64_t f)
{
	uint16_t tr;

	__asm__ __volatile__("str %0" : "=r"(tr));
	GUEST_SYNC_ARGS(a, b, c, d, e, f);
	GUEST_SYNC_ARGS(read_cr(0), read_cr(3), read_cr(4), tr,
			this_vcpu()->id);
	/* The stub loaded the IDT: exceptions are reported. */
	__asm__ __volatile__("ud2");
}

static void guest_runs(uint64_t n)
{
	uint64_t i, acc = 0;

	for (i = 1; i <= n; i++)
		acc += i;
	GUEST_SYNC_ARGS(acc, this_vcpu()->id);
	GUEST_DONE();
}

static void fill(uint64_t gpa, uint64_t size, uint64_t seed)
{
	uint64_t a;

	for (a = gpa; a < gpa + size; a += 512)
		*(volatile uint64_t *)a = guest_pattern(seed, a);
}

static uint64_t bad_words(uint64_t gpa, uint64_t size, uint64_t seed)
{
	uint64_t a, bad = 0;

	for (a = gpa; a < gpa + size; a += 512)
		bad += *(volatile uint64_t *)a != guest_pattern(seed, a);
	return bad;
}

/*
 * Private at start: accept, fill; half to shared (the host checks what
 * the guest wrote there), back to private, fill and check again.
 */
static void guest_convert_round_trip(uint64_t gpa, uint64_t size)
{
	uint64_t half = size / 2, r;

	r = guest_accept(gpa, size);
	__GUEST_ASSERT(!r, "accept: 0x%lx", r);
	fill(gpa, size, 1);
	GUEST_ASSERT_EQ(bad_words(gpa, size, 1), 0);
	r = guest_convert(gpa, half, false);
	__GUEST_ASSERT(!r, "to shared: 0x%lx", r);
	fill(gpa, half, 2);
	GUEST_SYNC(1);
	GUEST_ASSERT_EQ(bad_words(gpa, half, 3), 0);
	r = guest_convert(gpa, half, true);
	__GUEST_ASSERT(!r, "to private: 0x%lx", r);
	fill(gpa, half, 4);
	GUEST_ASSERT_EQ(bad_words(gpa, half, 4), 0);
	GUEST_ASSERT_EQ(bad_words(gpa + half, size - half, 1), 0);
	GUEST_DONE();
}

GUEST_CODE_END

static uint32_t io_word(struct kvm_vcpu *vcpu)
{
	uint32_t v;

	memcpy(&v, (char *)vcpu->run + vcpu->run->io.data_offset, sizeof(v));
	return v;
}

static void child_shared_assert(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_shared_ucalls);
	struct ucall uc;

	vm_ucall_via_shared(vm);
	vcpu_args_set(vcpu, 2, 3ULL, 4ULL);
	vcpu_run_ucall(vcpu, &uc);
	vcpu_run_ucall(vcpu, &uc);
	vcpu_run_ucall(vcpu, &uc);
}

/*
 * Ucalls through the vCPU's page in the shared window, as confidential
 * guests send them: the exit carries that page's address, the host
 * decodes the same struct, and a failed GUEST_ASSERT still names the
 * guest's file:line and values.
 */
static void shared_ucall_channel(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *v0 = vm_vcpu_add(vm, guest_shared_ucalls);
	struct kvm_vcpu *v1 = vm_vcpu_add(vm, guest_shared_ucalls);
	struct guest_vcpu_info *info = addr_gpa2hva(vm, v1->info_gpa);
	char out[8192], line[64];
	struct ucall uc;
	int status;

	vm_ucall_via_shared(vm);
	vcpu_args_set(v0, 2, 5ULL, 5ULL);
	vcpu_args_set(v1, 2, 7ULL, 7ULL);
	TEST_ASSERT_EQ(vcpu_run_ucall(v1, &uc), UCALL_SYNC);
	TEST_ASSERT(uc.nargs == 4 && uc.args[2] == 14 && uc.args[3] == 1,
		    "vCPU 1 answered %llu args: %llu %llu",
		    (unsigned long long)uc.nargs,
		    (unsigned long long)uc.args[2],
		    (unsigned long long)uc.args[3]);
	TEST_ASSERT_EQ(io_word(v1), info->ucall_gpa);
	TEST_ASSERT(info->ucall_gpa < SZ_2M, "ucall page 0x%llx outside the "
		    "shared window", (unsigned long long)info->ucall_gpa);
	TEST_ASSERT_EQ(vcpu_run_ucall(v1, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], info->ucall_gpa);
	TEST_ASSERT_EQ(vcpu_run_ucall(v0, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[3], 0);
	TEST_ASSERT_EQ(vcpu_run_ucall(v0, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(vcpu_run_ucall(v0, &uc), UCALL_DONE);
	vm_free(vm);

	status = test_run_captured(child_shared_assert, out, sizeof(out));
	test_diag("child report:\n%s", out);
	snprintf(line, sizeof(line), "vm_type_test.c:%d", shared_assert_line);
	TEST_ASSERT_EQ(status, 1);
	TEST_ASSERT(strstr(out, line) && strstr(out, "a = 3, b = 4"),
		    "report lacks %s / the values", line);
}

/* Expect the vCPU to stop on an exception; return (vector, error, cr2). */
static void expect_exception(struct kvm_vcpu *vcpu, uint64_t vector,
			     uint64_t *err, uint64_t *cr2)
{
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu_get_ucall(vcpu, &uc) == UCALL_EXCEPTION,
		    "no exception: ucall %llu", (unsigned long long)uc.cmd);
	TEST_ASSERT(uc.args[0] == vector, "vector %llu, want %llu",
		    (unsigned long long)uc.args[0],
		    (unsigned long long)vector);
	*err = uc.args[1];
	*cr2 = uc.args[3];
}

/*
 * The guest's page-table walk that flips the C-bit / shared bit on
 * conversion, checked with a bit whose effect is visible everywhere:
 * clearing RW (and flushing the TLB) makes the next write fault.
 */
static void guest_pte_update_write_protects(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_write_protect);
	uint64_t err, cr2, gpa = REGION_GPA + 3 * SZ_4K;
	struct ucall uc;

	vm_add_region(vm, &(struct region_spec){
		.gpa = REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_ANON,
	});
	vcpu_args_set(vcpu, 1, gpa);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], 0);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], 1);
	expect_exception(vcpu, PF_VECTOR, &err, &cr2);
	TEST_ASSERT_EQ(cr2, gpa);
	/* Present (bit 0) and write (bit 1): a protection fault. */
	TEST_ASSERT_EQ(err & 3, 3);
	vm_free(vm);
}

/* Updates that would need a split, or hit unmapped GVAs, are refused. */
static void guest_pte_update_refuses_partial_leaf(void)
{
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_partial_leaf);
	struct ucall uc;

	vm_add_region(vm, &(struct region_spec){
		.gpa = REGION_GPA, .size = SZ_2M, .backing = BACKING_ANON,
		.guest_page = GUEST_PAGE_2M,
	});
	vcpu_args_set(vcpu, 1, (uint64_t)REGION_GPA);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], GUEST_EPTE);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], 0);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], GUEST_EPTE);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_DONE);
	vm_free(vm);
}

/*
 * The boot stub a TDX vCPU starts in, entered from the TDX reset state
 * set by hand (32-bit protected mode, paging off, EFER.LME, RIP
 * 0xFFFFFFF0, ESI = vCPU index): long mode, page tables, IDT, TR, stack
 * and six arguments per vCPU, as KVM_SET_SREGS/REGS give other vCPUs.
 */
static void boot_stub_from_tdx_reset_state(void)
{
	/*
	 * QEMU 7.2 TCG's nested SVM (make vmcheck) locks up the whole L1
	 * kernel when it enters an L2 vCPU with EFER.LME set and paging off
	 * (legal, and how a TD starts): not even SIGKILL ends the test.
	 * There the vCPU starts with LME clear and the stub sets it.
	 */
	bool tcg = strstr(probe_host()->cpu_model, "QEMU TCG");
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	struct kvm_vcpu *vcpu[2];
	uint64_t err, cr2;
	struct ucall uc;
	unsigned int i;

	if (tcg)
		test_diag("QEMU TCG: starting with EFER.LME clear (TCG hangs "
			  "L1 on LME with paging off)");
	vm_use_boot_stub(vm);
	for (i = 0; i < 2; i++) {
		vcpu[i] = vm_vcpu_add(vm, guest_booted);
		vcpu_args_set(vcpu[i], 6, 11ULL + i, 22ULL, 33ULL, 44ULL,
			      55ULL, 66ULL + i);
	}
	vm_launch(vm);
	for (i = 0; i < 2; i++)
		vcpu_set_tdx_reset_state(vcpu[i], !tcg);
	/* Second vCPU first: the index comes from ESI, not the order. */
	for (i = 2; i-- > 0;) {
		TEST_ASSERT_EQ(vcpu_run_ucall(vcpu[i], &uc), UCALL_SYNC);
		TEST_ASSERT(uc.args[0] == 11 + i && uc.args[1] == 22 &&
			    uc.args[2] == 33 && uc.args[3] == 44 &&
			    uc.args[4] == 55 && uc.args[5] == 66 + i,
			    "vCPU %u arguments %llu %llu .. %llu", i,
			    (unsigned long long)uc.args[0],
			    (unsigned long long)uc.args[1],
			    (unsigned long long)uc.args[5]);
		TEST_ASSERT_EQ(vcpu_run_ucall(vcpu[i], &uc), UCALL_SYNC);
		TEST_ASSERT(uc.args[0] & X86_CR0_PG, "CR0 0x%llx",
			    (unsigned long long)uc.args[0]);
		TEST_ASSERT_EQ(uc.args[1], vm->pml4);
		TEST_ASSERT_EQ(uc.args[2] & (X86_CR4_PAE | X86_CR4_MCE),
			       X86_CR4_PAE | X86_CR4_MCE);
		TEST_ASSERT_EQ(uc.args[3], 0x18 + 16 * i);
		TEST_ASSERT_EQ(uc.args[4], i);
		expect_exception(vcpu[i], UD_VECTOR, &err, &cr2);
	}
	vm_free(vm);
}

/* A guest of the selected VM type runs and reports (launch included). */
static void guest_runs_on_selected_type(void)
{
	struct kvm_vm *vm = vm_create_kind(ktap_vm_kind());
	struct kvm_vcpu *vcpu = vm_vcpu_add(vm, guest_runs);
	struct ucall uc;

	test_diag("VM type: %s", vm_type_name(vm->type));
	vcpu_args_set(vcpu, 1, 1000ULL);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(uc.args[0], 500500);
	TEST_ASSERT_EQ(uc.args[1], 0);
	TEST_ASSERT_EQ(vcpu_run_ucall(vcpu, &uc), UCALL_DONE);
	vm_free(vm);
}

/*
 * Shared <-> private through the selected type's guest path and the one
 * host handler, on whichever attribute interface the kernel offers (the
 * in-place guest_memfd ioctl where the VM fd has no PRIVATE): the guest's request exits as KVM_HC_MAP_GPA_RANGE
 * (hypercall on SW_PROTECTED, page-state change on SNP, MapGPA on TDX),
 * the handler flips the attribute (and discards the stale side), and
 * what the guest wrote to the shared half is what the host reads.
 */
static void guest_converts_on_selected_type(void)
{
	struct kvm_vm *vm = vm_create_private(ktap_vm_kind());
	enum convert_path path;
	struct converter conv;
	struct kvm_vcpu *vcpu;
	struct kvm_region *r;
	uint64_t a, bad = 0;
	struct ucall uc;
	int err;

	require_private_tracking(vm);
	path = vm_convert_path(vm);
	TEST_REQUIRE(vm_check_cap(vm, KVM_CAP_EXIT_HYPERCALL) &
		     (1 << KVM_HC_MAP_GPA_RANGE),
		     "KVM_CAP_EXIT_HYPERCALL lacks KVM_HC_MAP_GPA_RANGE on %s",
		     vm_type_name(vm->type));
	/* In-place: one guest_memfd holds both sides, mapped for the host. */
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = REGION_GPA, .size = REGION_SIZE,
		.backing = path == CONVERT_GMEM_ATTR ? BACKING_GMEM :
			   BACKING_ANON,
		.gmem = GMEM_CREATE, .private = true,
		.gmem_flags = path == CONVERT_GMEM_ATTR ?
			      GUEST_MEMFD_FLAG_MMAP : 0,
	});
	test_diag("%s, %s attributes", vm_type_name(vm->type),
		  path == CONVERT_GMEM_ATTR ? "guest_memfd (in-place)" :
		  "VM-fd");
	vm_enable_map_gpa_exits(vm);
	converter_init(&conv, vm, path, true);
	vcpu = vm_vcpu_add(vm, guest_convert_round_trip);
	vcpu_args_set(vcpu, 2, r->gpa, r->size);

	err = vcpu_run_converting(&conv, vcpu);
	TEST_ASSERT(!err, "KVM_RUN: %s", errno_name(err));
	TEST_ASSERT_EQ(vcpu_get_ucall(vcpu, &uc), UCALL_SYNC);
	TEST_ASSERT_EQ(conv.stats.calls, 1);
	for (a = 0; a < r->size / 2; a += 512) {
		uint64_t *w = (uint64_t *)((char *)r->hva + a);

		bad += *w != guest_pattern(2, r->gpa + a);
		*w = guest_pattern(3, r->gpa + a);
	}
	TEST_ASSERT_EQ(bad, 0);
	err = vcpu_run_converting(&conv, vcpu);
	TEST_ASSERT(!err, "KVM_RUN: %s", errno_name(err));
	if (vcpu_get_ucall(vcpu, &uc) != UCALL_DONE) {
		ucall_report(vcpu, &uc);
		TEST_FAIL("guest did not finish");
	}
	TEST_ASSERT_EQ(conv.stats.calls, 2);
	TEST_ASSERT_EQ(conv.stats.bytes, r->size);
	vm_free(vm);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(shared_ucall_channel),
	KTAP_CASE(guest_pte_update_write_protects),
	KTAP_CASE(guest_pte_update_refuses_partial_leaf),
	KTAP_CASE(boot_stub_from_tdx_reset_state),
	KTAP_CASE(guest_runs_on_selected_type),
	KTAP_CASE(guest_converts_on_selected_type),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
