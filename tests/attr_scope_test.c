// SPDX-License-Identifier: GPL-2.0
/*
 * Where each memory attribute lives.
 *
 * With the in-place conversion series, PRIVATE is tracked per guest_memfd
 * when kvm.gmem_in_place_conversion=Y and per VM when =N; read/write/exec
 * attributes (reserved bits 0..2, not merged anywhere) stay per VM.
 * Kernels without the series have no parameter and behave as "N".  The
 * parameter's value (sysfs) and the kernel's behaviour must agree.
 */
#include <stdlib.h>
#include <unistd.h>

#include "convert.h"
#include "gmem.h"
#include "guest_ops.h"
#include "ktap.h"
#include "kvm_util.h"
#include "probe.h"

#define REGION_SIZE	(2 * SZ_2M)
#define SEED_HOST	0x44440004ULL
#define SEED_PRIV	0x55550005ULL

/* Y, N, or absent (kernel without the series: per-VM, like N). */
static enum tristate in_place_param(void)
{
	enum tristate t = probe_in_place_param(probe_host());

	test_diag("kvm.gmem_in_place_conversion: %s", t == TRI_UNKNOWN ?
		  "absent (kernel without the in-place series)" :
		  t == TRI_YES ? "Y" : "N");
	return t;
}

static struct kvm_vm *private_vm(void)
{
	struct kvm_vm *vm = __vm_create(KVM_X86_SW_PROTECTED_VM);

	TEST_REQUIRE(vm, "VM type KVM_X86_SW_PROTECTED_VM not supported: "
		     "needs CONFIG_KVM_SW_PROTECTED_VM=y and kvm.tdp_mmu=Y");
	return vm;
}

/* The guest_memfd ioctl answers iff the parameter is Y. */
static void gmem_ioctl_matches_param(void)
{
	enum tristate param = in_place_param();
	struct kvm_vm *vm = vm_create(KVM_X86_DEFAULT_VM);
	int fd = gmem_create(vm, SZ_2M, 0);
	enum tristate answers = gmem_fd_attributes_ioctl(fd);

	test_diag("KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd: %s",
		  answers == TRI_YES ? "answers" : "ENOTTY");
	TEST_ASSERT((answers == TRI_YES) == (param == TRI_YES),
		    "kvm.gmem_in_place_conversion=%s but the guest_memfd ioctl "
		    "%s", param == TRI_YES ? "Y" : "N/absent",
		    answers == TRI_YES ? "answers" : "is ENOTTY");
	close(fd);
	vm_free(vm);
}

/*
 * VM-fd PRIVATE: refused (EINVAL, or ENOTTY with VM attributes compiled
 * out) and absent from KVM_CAP_MEMORY_ATTRIBUTES when the parameter is
 * Y; offered and working when it is N or absent.
 */
static void vm_ioctl_matches_param(void)
{
	enum tristate param = in_place_param();
	struct kvm_vm *vm = private_vm();
	int cap = vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES);
	int err = __vm_set_memory_attributes(vm, TEST_REGION_GPA, SZ_2M,
					     KVM_MEMORY_ATTRIBUTE_PRIVATE, 0);

	test_diag("%s: KVM_CAP_MEMORY_ATTRIBUTES = 0x%x, VM-fd PRIVATE: %s",
		  vm_type_name(vm->type), cap, errno_name(err));
	if (param == TRI_YES) {
		TEST_ASSERT(!(cap & KVM_MEMORY_ATTRIBUTE_PRIVATE),
			    "parameter Y but the VM cap advertises PRIVATE");
		TEST_ASSERT(err == EINVAL || err == ENOTTY, "parameter Y but "
			    "the VM fd took PRIVATE: %s", errno_name(err));
	} else {
		TEST_ASSERT(cap & KVM_MEMORY_ATTRIBUTE_PRIVATE, "per-VM "
			    "tracking but the VM cap lacks PRIVATE (0x%x)", cap);
		TEST_ASSERT(!err, "per-VM tracking but the VM fd refused "
			    "PRIVATE: %s", errno_name(err));
	}
	vm_free(vm);
}

/*
 * KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES reports PRIVATE only with the
 * parameter on and a VM type that has private memory.  Its number moved
 * between revisions, so a non-zero answer without the ioctl is reported
 * as a number clash, not taken as support.
 */
static void gmem_cap_matches_param_and_type(void)
{
	enum tristate param = in_place_param();
	unsigned long type;
	unsigned int seen = 0, checked = 0;

	for (type = KVM_X86_DEFAULT_VM; type <= KVM_X86_SW_PROTECTED_VM;
	     type++) {
		struct kvm_vm *vm = __vm_create(type);
		bool has_private = type != KVM_X86_DEFAULT_VM;
		bool ioctl_present;
		int cap;

		if (!vm)
			continue;
		seen++;
		cap = vm_check_cap(vm, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES);
		ioctl_present = gmem_has_attributes_ioctl(vm);
		test_diag("%s: cap %d = 0x%x, ioctl %s", vm_type_name(type),
			  KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES, cap,
			  ioctl_present ? "present" : "absent");
		if (!ioctl_present) {
			if (cap)
				test_diag("cap %d answers 0x%x without the "
					  "ioctl: the number belongs to "
					  "something else on this kernel",
					  KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES,
					  cap);
			vm_free(vm);
			continue;
		}
		checked++;
		TEST_ASSERT(!!(cap & KVM_MEMORY_ATTRIBUTE_PRIVATE) ==
			    (param == TRI_YES && has_private),
			    "%s: cap 0x%x with parameter %s",
			    vm_type_name(type), cap,
			    param == TRI_YES ? "Y" : "N");
		vm_free(vm);
	}
	TEST_ASSERT(seen, "no VM type could be created");
	TEST_REQUIRE(checked, "KVM_SET_MEMORY_ATTRIBUTES2 not supported: "
		     "kernel lacks in-place conversion (or "
		     "kvm.gmem_in_place_conversion=N)");
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
	int err;

	if (!vm)
		vm = vm_create(KVM_X86_DEFAULT_VM);
	cap = vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES);
	/* attributes 0 on a valid range: ENOTTY means no VM ioctl at all. */
	err = __vm_set_memory_attributes(vm, TEST_REGION_GPA, SZ_4K, 0, 0);
	test_diag("%s: KVM_CAP_MEMORY_ATTRIBUTES = 0x%llx, VM ioctl: %s",
		  vm_type_name(vm->type), (unsigned long long)cap,
		  err == ENOTTY ? "absent" : "present");
	for (bit = 1; bit < KVM_MEMORY_ATTRIBUTE_PRIVATE; bit <<= 1) {
		int e = __vm_set_memory_attributes(vm, TEST_REGION_GPA, SZ_4K,
						   bit, 0);

		if (!(cap & bit))
			TEST_ASSERT(e == EINVAL || (err == ENOTTY &&
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
 * "Supports in-place conversion" is not "converts in place": with the
 * parameter Y, a VMM may keep shared memory in a separate anonymous
 * backing and bind a guest_memfd without MMAP for private memory.
 * PRIVATE is then set on the guest_memfd fd (the VM fd refuses it) and
 * the data shows which side each access reached.
 */
static void separate_backing_layout(void)
{
	struct converter conv;
	struct kvm_region *r;
	struct kvm_vcpu *vcpu;
	struct guest_result res;
	struct kvm_vm *vm;
	uint64_t off;

	TEST_REQUIRE(in_place_param() == TRI_YES,
		     "kvm.gmem_in_place_conversion is not Y");
	vm = private_vm();
	require_gmem_attributes(vm);
	r = vm_add_region(vm, &(struct region_spec){
		.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
		.backing = BACKING_ANON, .gmem = GMEM_CREATE,
	});
	test_diag("layout: separate shared backing (anon) + guest_memfd "
		  "without MMAP");
	vcpu = vm_vcpu_add_cmd(vm);
	converter_init(&conv, vm, CONVERT_GMEM_ATTR, false);
	for (off = 0; off < REGION_SIZE; off += 8)
		*(uint64_t *)((char *)r->hva + off) =
			guest_pattern(SEED_HOST, r->gpa + off);
	TEST_ASSERT(__vm_set_memory_attributes(vm, r->gpa, SZ_2M,
			KVM_MEMORY_ATTRIBUTE_PRIVATE, 0),
		    "the VM fd took PRIVATE with in-place tracking on");
	TEST_ASSERT(!convert_range(&conv, r->gpa, SZ_2M, true, NULL),
		    "PRIVATE on the guest_memfd fd");
	vcpu_cmd(vcpu, GOP_FILL, r->gpa, REGION_SIZE, SEED_PRIV);
	/* First 2M private: the shared backing kept the host's data. */
	for (off = 0; off < REGION_SIZE; off += SZ_4K) {
		uint64_t want = guest_pattern(off < SZ_2M ? SEED_HOST :
					      SEED_PRIV, r->gpa + off);

		TEST_ASSERT_EQ(*(uint64_t *)((char *)r->hva + off), want);
	}
	TEST_ASSERT(!convert_range(&conv, r->gpa, SZ_2M, false, NULL),
		    "back to shared");
	res = vcpu_cmd(vcpu, GOP_CHECK, r->gpa, SZ_2M, SEED_HOST);
	TEST_ASSERT_EQ(res.bad, 0);
	vm_free(vm);
}

/* Two VMs: an attribute set in one never shows in the other. */
static void two_vms_isolated(void)
{
	struct kvm_vm *vm[2];
	struct kvm_region *r[2];
	struct kvm_vcpu *vcpu[2];
	bool in_place = in_place_param() == TRI_YES;
	unsigned int i;
	uint64_t off;

	for (i = 0; i < 2; i++) {
		vm[i] = private_vm();
		if (in_place)
			require_gmem_attributes(vm[i]);
		r[i] = vm_add_region(vm[i], &(struct region_spec){
			.gpa = TEST_REGION_GPA, .size = REGION_SIZE,
			.backing = BACKING_ANON, .gmem = GMEM_CREATE,
		});
		vcpu[i] = vm_vcpu_add_cmd(vm[i]);
		for (off = 0; off < REGION_SIZE; off += 8)
			*(uint64_t *)((char *)r[i]->hva + off) =
				guest_pattern(SEED_HOST, r[i]->gpa + off);
	}
	if (in_place)
		gmem_set_private(r[0]->gmem_fd, 0, REGION_SIZE);
	else
		vm_set_private(vm[0], r[0]->gpa, REGION_SIZE);
	/* VM 0 now reads fresh private memory, VM 1 still its shared data. */
	TEST_ASSERT_EQ(vcpu_cmd(vcpu[0], GOP_CHECK, r[0]->gpa, REGION_SIZE,
				0).bad, 0);
	TEST_ASSERT_EQ(vcpu_cmd(vcpu[1], GOP_CHECK, r[1]->gpa, REGION_SIZE,
				SEED_HOST).bad, 0);
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
