// SPDX-License-Identifier: GPL-2.0
/*
 * Where each memory attribute lives.
 *
 * With the in-place conversion series, PRIVATE is tracked per guest_memfd
 * when in-place conversion is on and per VM when it is off.  v8 always
 * has kvm.gmem_in_place_conversion (default !CONFIG_KVM_VM_MEMORY_
 * ATTRIBUTES; without that option and with the parameter 0, PRIVATE is
 * tracked nowhere).  The merged series (kvm-x86 2026-09-22) registers the
 * parameter only with CONFIG_KVM_VM_MEMORY_ATTRIBUTES=y; without it there
 * is no parameter file and conversion is always on.  Read/write/exec
 * attributes (reserved bits 0..2, not merged anywhere) stay per VM.
 * Kernels without the series have no parameter and track PRIVATE per VM.
 * The parameter's value (sysfs), where there is one, and the kernel's
 * behaviour must agree.
 */
#include <stdlib.h>
#include <unistd.h>

#include "convert.h"
#include "gmem.h"
#include "guest_ops.h"
#include "ktap.h"
#include "kvm_util.h"
#include "probe.h"
#include "vm_kind.h"

#define REGION_SIZE	(2 * SZ_2M)
#define SEED_HOST	0x44440004ULL
#define SEED_PRIV	0x55550005ULL
#define SEED_SHARED	0x66660006ULL

/*
 * In-place conversion on or off: the parameter where the kernel has one,
 * else what the guest_memfd ioctl answers (lib/kvm/probe.c probe_in_place).
 */
static enum tristate in_place_state(void)
{
	const struct host_probe *p = probe_host();
	enum tristate param = probe_in_place_param(p);
	enum tristate t = probe_in_place(p);

	test_diag("kvm.gmem_in_place_conversion: %s; in-place conversion %s;"
		  " series revision: %s", param == TRI_UNKNOWN ? "absent" :
		  param == TRI_YES ? "Y" : "N", t == TRI_YES ? "on" :
		  t == TRI_NO ? "off" : "unknown", probe_gmem_revision(p));
	return t;
}

static struct kvm_vm *private_vm(void)
{
	struct kvm_vm *vm = __vm_create(KVM_X86_SW_PROTECTED_VM);

	TEST_REQUIRE(vm, "VM type KVM_X86_SW_PROTECTED_VM not supported: "
		     "needs CONFIG_KVM_SW_PROTECTED_VM=y and kvm.tdp_mmu=Y");
	return vm;
}

/*
 * The guest_memfd ioctl answers iff the parameter is Y; with no
 * parameter it may answer (merged series without per-VM attributes) or
 * not (no series), and the probe's view must be this fd's answer.
 */
static void gmem_ioctl_matches_param(void)
{
	enum tristate param = probe_in_place_param(probe_host());
	enum tristate state = in_place_state();
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	int fd = gmem_create(vm, SZ_2M, 0);
	enum tristate answers = gmem_fd_attributes_ioctl(fd);

	test_diag("KVM_SET_MEMORY_ATTRIBUTES2 on a default VM's guest_memfd:"
		  " %s", answers == TRI_YES ? "answers" : "ENOTTY");
	if (param != TRI_UNKNOWN)
		TEST_ASSERT((answers == TRI_YES) == (param == TRI_YES),
			    "kvm.gmem_in_place_conversion=%s but the "
			    "guest_memfd ioctl %s", param == TRI_YES ? "Y" :
			    "N", answers == TRI_YES ? "answers" : "is ENOTTY");
	TEST_ASSERT((answers == TRI_YES) == (state == TRI_YES), "the probe "
		    "says in-place conversion is %s but this guest_memfd's "
		    "ioctl %s", state == TRI_YES ? "on" : "off",
		    answers == TRI_YES ? "answers" : "is ENOTTY");
	close(fd);
	vm_free(vm);
}

/*
 * VM-fd PRIVATE: refused (EINVAL, or ENOTTY with VM attributes compiled
 * out) and absent from KVM_CAP_MEMORY_ATTRIBUTES when the parameter is
 * Y.  With the parameter 0 or absent it is offered and works wherever the
 * VM ioctl exists; a series kernel built without per-VM attributes and
 * booted with the parameter 0 has neither interface.
 */
static void vm_ioctl_matches_param(void)
{
	enum tristate param = probe_in_place_param(probe_host());
	enum tristate state = in_place_state();
	struct kvm_vm *vm = private_vm();
	int cap = vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES);
	bool vm_ioctl = vm_has_attributes_ioctl(vm);
	int err = __vm_set_memory_attributes(vm, TEST_REGION_GPA, SZ_2M,
					     KVM_MEMORY_ATTRIBUTE_PRIVATE, 0);

	test_diag("%s: KVM_CAP_MEMORY_ATTRIBUTES = 0x%x, VM ioctl %s, "
		  "VM-fd PRIVATE: %s", vm_type_name(vm->type), cap,
		  vm_ioctl ? "present" : "absent", errno_name(err));
	if (state == TRI_YES) {
		TEST_ASSERT(!(cap & KVM_MEMORY_ATTRIBUTE_PRIVATE),
			    "in-place on but the VM cap advertises PRIVATE");
		TEST_ASSERT(err == EINVAL || err == ENOTTY, "in-place on but "
			    "the VM fd took PRIVATE: %s", errno_name(err));
		/* Merged: no parameter means no per-VM attributes at all. */
		if (param == TRI_UNKNOWN)
			TEST_ASSERT(!vm_ioctl, "no kvm.gmem_in_place_"
				    "conversion (CONFIG_KVM_VM_MEMORY_"
				    "ATTRIBUTES off) but the VM attribute "
				    "ioctl exists");
	} else if (vm_ioctl) {
		TEST_ASSERT(cap & KVM_MEMORY_ATTRIBUTE_PRIVATE, "per-VM "
			    "tracking but the VM cap lacks PRIVATE (0x%x)", cap);
		TEST_ASSERT(!err, "per-VM tracking but the VM fd refused "
			    "PRIVATE: %s", errno_name(err));
	} else {
		/* Only the series makes per-VM attributes optional. */
		TEST_ASSERT(param == TRI_NO, "no VM attribute ioctl on %s, "
			    "and no kvm.gmem_in_place_conversion: a kernel "
			    "without the series always has it", vm_type_name(
			    vm->type));
		TEST_ASSERT(!gmem_has_attributes_ioctl(vm), "parameter 0 but "
			    "the guest_memfd ioctl answers");
		test_diag("PRIVATE tracked nowhere: no per-VM attributes "
			  "(CONFIG_KVM_VM_MEMORY_ATTRIBUTES off) and the "
			  "parameter 0");
	}
	vm_free(vm);
}

/*
 * KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES reports PRIVATE only with the
 * parameter on and a VM type that has private memory.  Its number moved
 * between revisions: the probe finds the candidate that reports PRIVATE
 * exactly on the VM types whose guest_memfd takes it.  With the ioctl
 * present, exactly one candidate must agree, and it must agree with the
 * parameter and the VM types too.
 */
static void gmem_cap_matches_param_and_type(void)
{
	const struct host_probe *p = probe_host();
	enum tristate state = in_place_state();
	bool present = false, private_type = false;
	unsigned int i, type;
	int sys;

	for (type = 0; type < PROBE_NR_VM_TYPES; type++) {
		const struct probe_vm_type *t = &p->vm_type[type];

		if (!t->created)
			continue;
		present |= t->gmem_attr_ioctl == TRI_YES;
		private_type |= t->gmem_private == TRI_YES;
		test_diag("%s: guest_memfd ioctl %s, takes PRIVATE: %s",
			  vm_type_name(type), t->gmem_attr_ioctl == TRI_YES ?
			  "answers" : "absent", t->gmem_private == TRI_YES ?
			  "yes" : t->gmem_private == TRI_NO ? "no" : "?");
	}
	for (i = 0; i < GMEM_ATTR_NR_CAP_REVS; i++)
		test_diag("candidate %d (%s): default 0x%llx, sw_protected "
			  "0x%llx", gmem_attr_cap_revs[i].cap,
			  gmem_attr_cap_revs[i].revs,
			  (unsigned long long)p->vm_type[0].gmem_cap_answers[i],
			  (unsigned long long)p->vm_type[1].gmem_cap_answers[i]);
	TEST_REQUIRE(present, "KVM_SET_MEMORY_ATTRIBUTES2 on guest_memfd %s",
		     gmem_attr_absent_reason());
	TEST_REQUIRE(private_type, "no VM type whose guest_memfd takes "
		     "PRIVATE: nothing tells the capability's number");
	TEST_ASSERT(p->gmem_attr_cap_matches == 1, "the guest_memfd ioctl "
		    "takes PRIVATE, but %s of the candidate numbers (above) "
		    "reports PRIVATE exactly on those VM types",
		    p->gmem_attr_cap_matches ? "more than one" : "none");
	test_diag("KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES = %d: revision %s",
		  p->gmem_attr_cap, probe_gmem_revision(p));
	/*
	 * On /dev/kvm (no VM) the cap answers for any VM type that could
	 * have private memory: PRIVATE iff in-place conversion is on (the
	 * merged series' own test requires exactly that).
	 */
	sys = kvm_check_cap(p->gmem_attr_cap);
	test_diag("system-level: cap %d = 0x%x", p->gmem_attr_cap, sys);
	TEST_ASSERT(!!(sys & KVM_MEMORY_ATTRIBUTE_PRIVATE) == (state ==
		    TRI_YES), "/dev/kvm: cap %d = 0x%x with in-place "
		    "conversion %s", p->gmem_attr_cap, sys, state == TRI_YES ?
		    "on" : "off");
	for (type = 0; type < PROBE_NR_VM_TYPES; type++) {
		const struct probe_vm_type *t = &p->vm_type[type];
		enum vm_kind k = vm_kind_from_type(type);
		bool want;

		/* SEV and SEV-ES have no private memory (not a kind here). */
		if (!t->created || k == NR_VM_KINDS)
			continue;
		want = state == TRI_YES && vm_kind_info(k)->private_mem;
		TEST_ASSERT(!!(t->gmem_attrs_cap &
			       KVM_MEMORY_ATTRIBUTE_PRIVATE) == want,
			    "%s: cap %d = 0x%llx with in-place conversion %s",
			    vm_type_name(type), p->gmem_attr_cap,
			    (unsigned long long)t->gmem_attrs_cap,
			    state == TRI_YES ? "on" : "off");
	}
}

/*
 * Read/write/exec bits (0..2) belong to the VM fd.  Refused (EINVAL)
 * unless KVM_CAP_MEMORY_ATTRIBUTES advertises them; when a kernel does,
 * a guest write to a range without write permission must exit to
 * userspace as a memory fault for that gpa, not complete.
 */
static void rwx_bits_on_vm_fd(void)
{
	struct kvm_vm *vm = __vm_create(KVM_X86_SW_PROTECTED_VM);
	struct kvm_region *r;
	struct kvm_vcpu *vcpu;
	uint64_t bit, cap;
	bool vm_ioctl;
	int err;

	if (!vm)
		vm = vm_create(KVM_X86_DEFAULT_VM);
	cap = vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES);
	vm_ioctl = vm_has_attributes_ioctl(vm);
	test_diag("%s: KVM_CAP_MEMORY_ATTRIBUTES = 0x%llx, VM ioctl: %s",
		  vm_type_name(vm->type), (unsigned long long)cap,
		  vm_ioctl ? "present" : "absent");
	for (bit = 1; bit < KVM_MEMORY_ATTRIBUTE_PRIVATE; bit <<= 1) {
		int e = __vm_set_memory_attributes(vm, TEST_REGION_GPA, SZ_4K,
						   bit, 0);

		if (!(cap & bit))
			TEST_ASSERT(e == EINVAL || (!vm_ioctl &&
						    e == ENOTTY),
				    "unadvertised RWX bit 0x%llx: %s",
				    (unsigned long long)bit, errno_name(e));
		else
			TEST_ASSERT(!e, "advertised bit 0x%llx refused: %s",
				    (unsigned long long)bit, errno_name(e));
	}
	if (!(cap & 2)) {
		vm_free(vm);
		return;
	}
	/* Bit 1 advertised (Hyper-V VSM RFC: NW): a write must not land. */
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = SZ_2M,
		.backing = BACKING_ANON,
	});
	vcpu = vm_vcpu_add_cmd(vm);
	vm_set_memory_attributes(vm, r->gpa, SZ_4K, 2);
	vcpu_cmd_post(vcpu, GOP_WRITE, r->gpa, 0, 0xdead);
	err = __vcpu_run(vcpu);
	test_diag("guest write to a bit-1 page: %s, exit %s",
		  errno_name(err), exit_reason_name(vcpu->run->exit_reason));
	TEST_ASSERT(err == EFAULT &&
		    vcpu->run->exit_reason == KVM_EXIT_MEMORY_FAULT &&
		    run_memory_fault(vcpu->run)->gpa == r->gpa,
		    "write to a non-writable gpa did not exit as a memory "
		    "fault for it");
	TEST_ASSERT_EQ(*(uint64_t *)r->hva, 0);
	vm_free(vm);
}

/*
 * "Supports in-place conversion" is not "converts in place": with
 * in-place conversion on, a VMM may keep shared memory in a separate
 * anonymous backing and bind a guest_memfd without MMAP for private
 * memory.  PRIVATE is then set on the guest_memfd fd (the VM fd refuses
 * it).  A guest_memfd created without INIT_SHARED starts all-private, so
 * the guest first reaches fresh private memory.  What a shared gfn then
 * reaches depends on the revision:
 *  - v8 maps the memslot's userspace backing: the guest sees the host's
 *    data while shared and its private data again after a round trip
 *    (nothing discarded);
 *  - the merged series (2e646bcf) makes every guest_memfd memslot
 *    guest_memfd-only while in-place conversion is on: shared faults
 *    are served from the guest_memfd, the backing is never mapped, and
 *    one copy of each page keeps its contents across conversions.
 * The revision the probe matched decides which is expected; behaviour
 * and revision must agree.
 */
static void separate_backing_check(struct kvm_vcpu *vcpu,
				   struct kvm_region *r,
				   struct converter *conv, bool gmem_only)
{
	uint64_t shared_seed = gmem_only ? SEED_PRIV : SEED_HOST;

	/* First 2M shared. */
	TEST_ASSERT(!convert_range(conv, r->gpa, SZ_2M, false, NULL),
		    "to shared on the guest_memfd fd");
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa, SZ_2M, shared_seed),
			 r->gpa, SZ_2M, shared_seed, gmem_only ?
			 "shared half (guest_memfd: the private data, kept)" :
			 "shared half (the anonymous backing)");
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa + SZ_2M, SZ_2M,
				  SEED_PRIV), r->gpa + SZ_2M, SZ_2M, SEED_PRIV,
			 "private half");
	vcpu_cmd(vcpu, GOP_FILL, r->gpa, SZ_2M, SEED_SHARED);
	TEST_ASSERT_EQ(host_pattern_bad_pages(r->hva, r->gpa, SZ_2M,
					      gmem_only ? SEED_HOST :
					      SEED_SHARED), 0);

	/* Back to private. */
	TEST_ASSERT(!convert_range(conv, r->gpa, SZ_2M, true, NULL),
		    "back to private");
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa, SZ_2M, gmem_only ?
				  SEED_SHARED : SEED_PRIV), r->gpa, SZ_2M,
			 gmem_only ? SEED_SHARED : SEED_PRIV, gmem_only ?
			 "after a round trip: the shared write, in place" :
			 "private data after a round trip through shared");
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa + SZ_2M, SZ_2M,
				  SEED_PRIV), r->gpa + SZ_2M, SZ_2M, SEED_PRIV,
			 "the half that stayed private");
	if (gmem_only)
		TEST_ASSERT_EQ(host_pattern_bad_pages(r->hva, r->gpa,
						      REGION_SIZE, SEED_HOST),
			       0);
}

static void separate_backing_layout(void)
{
	const struct host_probe *p = probe_host();
	const char *rev = probe_gmem_revision(p);
	struct converter conv;
	struct kvm_region *r;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	enum tristate gmem_only;
	bool merged, v8;

	TEST_REQUIRE(in_place_state() == TRI_YES, "in-place conversion off "
		     "(kvm.gmem_in_place_conversion=N, or no series)");
	vm = private_vm();
	require_gmem_attributes(vm);
	gmem_only = vm_shared_faults_from_gmem(vm);
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_ANON, .gmem = GMEM_CREATE,
	});
	test_diag("layout: separate shared backing (anon) + guest_memfd "
		  "without MMAP; revision %s; shared faults served from the %s",
		  rev, gmem_only == TRI_YES ? "guest_memfd" : "backing");
	merged = p->gmem_attr_cap_matches == 1 &&
		 p->gmem_attr_cap == gmem_attr_cap_revs[GMEM_REV_MERGED].cap;
	v8 = p->gmem_attr_cap_matches == 1 &&
	     p->gmem_attr_cap == gmem_attr_cap_revs[GMEM_REV_V8].cap;
	TEST_ASSERT(!merged || gmem_only == TRI_YES, "merged revision (cap "
		    "252) but shared faults reach the memslot's userspace "
		    "backing: 2e646bcf makes guest_memfd memslots "
		    "guest_memfd-only while in-place conversion is on");
	TEST_ASSERT(!v8 || gmem_only == TRI_NO, "v8 (cap 250) but shared "
		    "faults are served from the guest_memfd");
	vcpu = vm_vcpu_add_cmd(vm);
	converter_init(&conv, vm, CONVERT_GMEM_ATTR, false);
	host_fill_pattern(r->hva, r->gpa, REGION_SIZE, SEED_HOST);
	TEST_ASSERT(__vm_set_memory_attributes(vm, r->gpa, SZ_2M,
			KVM_MEMORY_ATTRIBUTE_PRIVATE, 0),
		    "the VM fd took PRIVATE with in-place tracking on");
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu, GOP_CHECK, r->gpa, REGION_SIZE, 0),
			 r->gpa, REGION_SIZE, 0,
			 "initially private (guest_memfd without INIT_SHARED)");
	vcpu_cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	TEST_ASSERT_EQ(host_pattern_bad_pages(r->hva, r->gpa, REGION_SIZE,
					      SEED_HOST), 0);
	separate_backing_check(vcpu, r, &conv, gmem_only == TRI_YES);
	vm_free(vm);
}

/* Two VMs, both shared: an attribute set in one never shows in the other. */
static void two_vms_isolated(void)
{
	struct kvm_vm *vm[2];
	struct kvm_region *r[2];
	struct kvm_vcpu *vcpu[2];
	struct converter conv[2];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		vm[i] = private_vm();
		r[i] = converter_setup_region(&conv[i], vm[i],
				&(struct region_spec){
					.gpa = TEST_REGION_GPA,
					.size = REGION_SIZE,
					.backing = BACKING_ANON,
					.gmem = GMEM_CREATE,
				}, false);
		require_separate_shared_backing(vm[i]);
		vcpu[i] = vm_vcpu_add_cmd(vm[i]);
		host_fill_pattern(r[i]->hva, r[i]->gpa, REGION_SIZE,
				  SEED_HOST);
	}
	TEST_ASSERT(!convert_range(&conv[0], r[0]->gpa, REGION_SIZE, true,
				   NULL), "VM 0 to private");
	/* VM 0 now reads fresh private memory, VM 1 still its shared data. */
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu[0], GOP_CHECK, r[0]->gpa, REGION_SIZE,
				  0), r[0]->gpa, REGION_SIZE, 0, "VM 0 private");
	ASSERT_GUEST_SAW(vcpu_cmd(vcpu[1], GOP_CHECK, r[1]->gpa, REGION_SIZE,
				  SEED_HOST), r[1]->gpa, REGION_SIZE, SEED_HOST,
			 "VM 1 still shared");
	for (i = 0; i < 2; i++)
		vm_free(vm[i]);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(gmem_ioctl_matches_param),
	KTAP_CASE(vm_ioctl_matches_param),
	KTAP_CASE(gmem_cap_matches_param_and_type),
	KTAP_CASE(rwx_bits_on_vm_fd),
	KTAP_CASE(separate_backing_layout),
	KTAP_CASE(two_vms_isolated),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
