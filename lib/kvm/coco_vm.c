// SPDX-License-Identifier: GPL-2.0
/*
 * VM-type backends for SEV-SNP and TDX: launch sequence, population of the
 * initial (measured) memory, vCPU initialization.  Written from the uAPI
 * of Linux 7.3 (Documentation/virt/kvm/x86/amd-memory-encryption.rst,
 * intel-tdx.rst, arch/x86/include/uapi/asm/kvm.h); no SNP or TDX host was
 * reachable when it was written, so none of it has run (README: "Running
 * on TDX / SNP hosts" lists what a first run must check).  The pure parts
 * (populate loop, CPUID filter, policy check) are unit-tested.
 *
 * Memory layout shared with lib/x86.c: the system slot is guest_memfd
 * backed; [2M, sys_next) is private and populated from the anonymous
 * shared side, [4K, 2M) is the shared window (ucall, GHCB, mailboxes).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "boot_stub.h"
#include "coco.h"
#include "coco_uapi.h"
#include "gmem.h"
#include "kvm_ioctl.h"
#include "kvm_util.h"
#include "processor.h"

#ifndef KVM_X86_GRP_SEV
#define KVM_X86_GRP_SEV			1
#define KVM_X86_SNP_POLICY_BITS		1
#endif

/* ---- SEV-SNP -------------------------------------------------------------- */

static int sev_cmd(struct kvm_vm *vm, uint32_t id, void *data,
		   uint32_t *fw_error)
{
	struct kvm_sev_cmd c = {
		.id = id, .data = (uintptr_t)data, .sev_fd = vm->sev_fd,
	};
	int r = kvm_ioctl(vm->fd, KVM_MEMORY_ENCRYPT_OP, &c);

	*fw_error = c.error;
	return r ? -errno : 0;
}

static int snp_vm_init(struct kvm_vm *vm, char *why, size_t len)
{
	struct kvm_sev_init init = { .ghcb_version = 2 };
	uint32_t a, b, c, d, fw;
	int r;

	vm->sev_fd = kvm_open("/dev/sev", O_RDWR | O_CLOEXEC);
	if (vm->sev_fd < 0) {
		r = -errno;
		snprintf(why, len, "/dev/sev: %s", errno_name(-r));
		return r;
	}
	host_cpuid(0x8000001f, 0, &a, &b, &c, &d);
	vm->coco_bit = snp_cbit_from_cpuid(b);
	if (!(a & (1U << 4)) || !vm->coco_bit) {
		snprintf(why, len, "CPUID 0x8000001F: EAX 0x%x (bit 4 SEV-SNP) "
			 "EBX 0x%x (C-bit): no SEV-SNP", a, b);
		return -EOPNOTSUPP;
	}
	/* Before any vCPU: KVM_SEV_INIT2, GHCB protocol version 2. */
	r = sev_cmd(vm, GMEM_KVM_SEV_INIT2, &init, &fw);
	if (r)
		snprintf(why, len, "KVM_SEV_INIT2: %s (firmware error %u)",
			 errno_name(-r), fw);
	return r;
}

static bool smt_active(void)
{
	char buf[4] = "";
	FILE *f = fopen("/sys/devices/system/cpu/smt/active", "re");

	if (f) {
		if (!fgets(buf, sizeof(buf), f))
			buf[0] = 0;
		fclose(f);
	}
	return buf[0] == '1';
}

static uint64_t snp_policy(struct kvm_vm *vm)
{
	uint64_t supported = 0, policy = SNP_POLICY_RSVD_MBO;
	struct kvm_device_attr attr = {
		.group = KVM_X86_GRP_SEV, .attr = KVM_X86_SNP_POLICY_BITS,
		.addr = (uintptr_t)&supported,
	};
	bool smt = smt_active();
	const char *bad;

	TEST_ASSERT(!kvm_ioctl(vm->kvm_fd, KVM_GET_DEVICE_ATTR, &attr),
		    "KVM_GET_DEVICE_ATTR(KVM_X86_SNP_POLICY_BITS)");
	if (smt)
		policy |= SNP_POLICY_SMT;
	bad = snp_policy_check(policy, supported, smt);
	TEST_ASSERT(!bad, "SNP policy 0x%llx (supported 0x%llx): %s",
		    (unsigned long long)policy,
		    (unsigned long long)supported, bad);
	return policy;
}

static int snp_update_step(void *ctx, uint64_t *gpa, uint64_t *src,
			   uint64_t *pages)
{
	struct kvm_sev_snp_launch_update u = {
		.gfn_start = *gpa >> 12, .uaddr = *src,
		.len = *pages * SZ_4K, .type = KVM_SEV_SNP_PAGE_TYPE_NORMAL,
	};
	uint32_t fw;
	int r = sev_cmd(ctx, GMEM_KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw);

	/* KVM writes back where it stopped, also on error. */
	*gpa = u.gfn_start << 12;
	*src = u.uaddr;
	*pages = u.len / SZ_4K;
	return r;
}

static void snp_launch(struct kvm_vm *vm)
{
	struct kvm_sev_snp_launch_start start = { .policy = snp_policy(vm) };
	struct kvm_sev_snp_launch_finish finish = { 0 };
	uint64_t pages = (vm->sys_next - SZ_2M) / SZ_4K;
	unsigned int calls;
	uint32_t fw;
	int r;

	vm_set_private(vm, SZ_2M, vm->sys_end - SZ_2M);
	r = sev_cmd(vm, GMEM_KVM_SEV_SNP_LAUNCH_START, &start, &fw);
	TEST_ASSERT(!r, "SNP_LAUNCH_START: %s (firmware error %u)",
		    errno_name(-r), fw);
	r = coco_populate(snp_update_step, vm, SZ_2M,
			  (uintptr_t)vm->sys->hva + SZ_2M, pages, &calls);
	TEST_ASSERT(!r, "SNP_LAUNCH_UPDATE of %llu pages (%u calls): %s",
		    (unsigned long long)pages, calls, errno_name(-r));
	/* Encrypts every vCPU's VMSA: all vCPUs exist by now. */
	r = sev_cmd(vm, GMEM_KVM_SEV_SNP_LAUNCH_FINISH, &finish, &fw);
	TEST_ASSERT(!r, "SNP_LAUNCH_FINISH: %s (firmware error %u)",
		    errno_name(-r), fw);
}

static const struct vm_backend snp_backend = {
	.vm_init = snp_vm_init,
	.launch = snp_launch,
};

/* ---- TDX ------------------------------------------------------------------ */
#define TDX_GPAW	48
#define TDX_MAX_CPUID_ENTRIES	4096
#define XFAM_X87_SSE	0x3ULL

static int tdx_cmd(int fd, uint32_t id, uint32_t flags, void *data,
		   uint64_t *hw_error)
{
	struct kvm_tdx_cmd c = {
		.id = id, .flags = flags, .data = (uintptr_t)data,
	};
	int r = kvm_ioctl(fd, KVM_MEMORY_ENCRYPT_OP, &c);

	*hw_error = c.hw_error;
	return r ? -errno : 0;
}

static struct kvm_tdx_capabilities *tdx_caps(struct kvm_vm *vm, int *err)
{
	struct kvm_tdx_capabilities *caps;
	uint32_t nent = 256;
	uint64_t hw;

	for (;;) {
		caps = calloc(1, sizeof(*caps) +
			      nent * sizeof(caps->cpuid.entries[0]));
		TEST_ASSERT(caps, "calloc");
		caps->cpuid.nent = nent;
		*err = tdx_cmd(vm->fd, GMEM_KVM_TDX_CAPABILITIES, 0, caps, &hw);
		if (*err != -E2BIG || nent >= TDX_MAX_CPUID_ENTRIES)
			break;
		/* 7.3 answers E2BIG without writing the size it needs. */
		nent = caps->cpuid.nent > nent ? caps->cpuid.nent : 2 * nent;
		free(caps);
	}
	if (*err) {
		free(caps);
		return NULL;
	}
	return caps;
}

static int tdx_vm_init(struct kvm_vm *vm, char *why, size_t len)
{
	struct kvm_tdx_capabilities *caps;
	struct kvm_tdx_init_vm *init;
	const char *bad;
	uint64_t hw;
	int r;

	/* TDs need the split irqchip, before any vCPU. */
	r = -__vm_enable_cap(vm, KVM_CAP_SPLIT_IRQCHIP, 24);
	if (r) {
		snprintf(why, len, "KVM_CAP_SPLIT_IRQCHIP: %s", errno_name(-r));
		return r;
	}
	caps = tdx_caps(vm, &r);
	if (!caps) {
		snprintf(why, len, "KVM_TDX_CAPABILITIES: %s", errno_name(-r));
		return r;
	}
	if ((caps->supported_xfam & XFAM_X87_SSE) != XFAM_X87_SSE) {
		snprintf(why, len, "TDX supported XFAM 0x%llx lacks x87|SSE",
			 (unsigned long long)caps->supported_xfam);
		free(caps);
		return -EOPNOTSUPP;
	}
	x86_get_supported_cpuid(vm);
	init = calloc(1, sizeof(*init) +
		      caps->cpuid.nent * sizeof(init->cpuid.entries[0]));
	TEST_ASSERT(init, "calloc");
	bad = tdx_filter_cpuid(vm->cpuid, &caps->cpuid, &init->cpuid,
			       TDX_GPAW);
	free(caps);
	if (bad) {
		snprintf(why, len, "TD CPUID: %s", bad);
		free(init);
		return -EOPNOTSUPP;
	}
	/* No DEBUG attribute (KVM refuses it), x87 and SSE state only. */
	init->attributes = 0;
	init->xfam = XFAM_X87_SSE;
	r = tdx_cmd(vm->fd, GMEM_KVM_TDX_INIT_VM, 0, init, &hw);
	free(init);
	if (r) {
		snprintf(why, len, "KVM_TDX_INIT_VM: %s (hw_error 0x%llx)",
			 errno_name(-r), (unsigned long long)hw);
		return r;
	}
	vm->coco_bit = tdx_shared_bit(TDX_GPAW);
	return 0;
}

/*
 * The TD vCPU's CPUID first, then KVM_TDX_INIT_VCPU: INIT_VCPU switches
 * the local APIC to x2APIC, and KVM treats that enable bit as reserved
 * unless the vCPU's CPUID (set by KVM_SET_CPUID2) has X2APIC (lapic.c),
 * so the other order fails with EINVAL.  The TDX selftests and the
 * original KVM patch use this order; intel-tdx.rst lists them the other
 * way round.
 */
static void tdx_vcpu_init(struct kvm_vcpu *vcpu)
{
	struct kvm_cpuid2 *cpuid;
	uint32_t nent = 256;
	uint64_t hw;
	int r;

	for (;;) {
		cpuid = calloc(1, sizeof(*cpuid) +
			       nent * sizeof(cpuid->entries[0]));
		TEST_ASSERT(cpuid, "calloc");
		cpuid->nent = nent;
		r = tdx_cmd(vcpu->fd, GMEM_KVM_TDX_GET_CPUID, 0, cpuid, &hw);
		if (r != -E2BIG || nent >= TDX_MAX_CPUID_ENTRIES)
			break;
		nent = cpuid->nent > nent ? cpuid->nent : 2 * nent;
		free(cpuid);
	}
	TEST_ASSERT(!r, "KVM_TDX_GET_CPUID(%u): %s", vcpu->id, errno_name(-r));
	/* KVM's view must match what the TDX module virtualizes. */
	TEST_ASSERT(!kvm_ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid),
		    "KVM_SET_CPUID2 from KVM_TDX_GET_CPUID (%u entries)",
		    cpuid->nent);
	free(cpuid);
	/* data: the vCPU's initial RCX (unused by the boot stub). */
	r = tdx_cmd(vcpu->fd, GMEM_KVM_TDX_INIT_VCPU, 0, NULL, &hw);
	TEST_ASSERT(!r, "KVM_TDX_INIT_VCPU(%u): %s (hw_error 0x%llx)",
		    vcpu->id, errno_name(-r), (unsigned long long)hw);
}

struct tdx_populate_ctx {
	int vcpu_fd;
};

static int tdx_init_mem_step(void *ctx, uint64_t *gpa, uint64_t *src,
			     uint64_t *pages)
{
	struct tdx_populate_ctx *c = ctx;
	struct kvm_tdx_init_mem_region m = {
		.source_addr = *src, .gpa = *gpa, .nr_pages = *pages,
	};
	uint64_t hw;
	int r = tdx_cmd(c->vcpu_fd, GMEM_KVM_TDX_INIT_MEM_REGION,
			KVM_TDX_MEASURE_MEMORY_REGION, &m, &hw);

	/* KVM advances the struct as it adds pages (-EINTR on a signal). */
	*src = m.source_addr;
	*gpa = m.gpa;
	*pages = m.nr_pages;
	return r;
}

static void tdx_populate(struct kvm_vm *vm, uint64_t gpa, void *src,
			 uint64_t pages)
{
	struct tdx_populate_ctx ctx = { vm->vcpus[0]->fd };
	unsigned int calls;
	int r;

	r = coco_populate(tdx_init_mem_step, &ctx, gpa, (uintptr_t)src, pages,
			  &calls);
	TEST_ASSERT(!r, "KVM_TDX_INIT_MEM_REGION gpa 0x%llx, %llu pages "
		    "(%u calls): %s", (unsigned long long)gpa,
		    (unsigned long long)pages, calls, errno_name(-r));
}

static void tdx_launch(struct kvm_vm *vm)
{
	struct kvm_region *stub = vm_find_region(vm, BOOT_STUB_GPA);
	unsigned int tries = 0;
	uint64_t hw;
	int r;

	TEST_ASSERT(vm->nr_vcpus && stub, "TD launch needs vCPUs and the "
		    "boot stub");
	vm_set_private(vm, SZ_2M, vm->sys_end - SZ_2M);
	vm_set_private(vm, BOOT_STUB_GPA, SZ_4K);
	tdx_populate(vm, SZ_2M, (char *)vm->sys->hva + SZ_2M,
		     (vm->sys_next - SZ_2M) / SZ_4K);
	tdx_populate(vm, BOOT_STUB_GPA, stub->hva, 1);
	do {
		r = tdx_cmd(vm->fd, GMEM_KVM_TDX_FINALIZE_VM, 0, NULL, &hw);
	} while (r == -EBUSY && ++tries < 1000);
	TEST_ASSERT(!r, "KVM_TDX_FINALIZE_VM: %s (hw_error 0x%llx)",
		    errno_name(-r), (unsigned long long)hw);
}

static const struct vm_backend tdx_backend = {
	.vm_init = tdx_vm_init,
	.vcpu_init = tdx_vcpu_init,
	.launch = tdx_launch,
	.boot_stub = true,
};

const struct vm_backend *vm_backend_of(enum vm_kind k)
{
	switch (k) {
	case VM_KIND_SNP:
		return &snp_backend;
	case VM_KIND_TDX:
		return &tdx_backend;
	default:
		return NULL;
	}
}
