/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SEV-SNP and TDX uAPI newer than Debian's 6.1 headers (Linux 7.3
 * arch/x86/include/uapi/asm/kvm.h).  Layouts are pinned by static
 * asserts in tests/coco_unit_test.c, sizes derived by hand.
 */
#ifndef GMEM_COCO_UAPI_H
#define GMEM_COCO_UAPI_H

#include "compat.h"

/* All go through KVM_MEMORY_ENCRYPT_OP (struct kvm_sev_cmd, 4.16+). */
#define GMEM_KVM_SEV_INIT2			22	/* 6.10 */
#define GMEM_KVM_SEV_SNP_LAUNCH_START		100	/* 6.11 */
#define GMEM_KVM_SEV_SNP_LAUNCH_UPDATE		101
#define GMEM_KVM_SEV_SNP_LAUNCH_FINISH		102

#ifndef KVM_SEV_SNP_PAGE_TYPE_NORMAL
#define KVM_SEV_SNP_PAGE_TYPE_NORMAL		0x1
#define KVM_SEV_SNP_PAGE_TYPE_ZERO		0x3
#define KVM_SEV_SNP_PAGE_TYPE_UNMEASURED	0x4
#define KVM_SEV_SNP_PAGE_TYPE_SECRETS		0x5
#define KVM_SEV_SNP_PAGE_TYPE_CPUID		0x6

struct kvm_sev_init {				/* 6.10 */
	__u64 vmsa_features;
	__u32 flags;
	__u16 ghcb_version;
	__u16 pad1;
	__u32 pad2[8];
};

struct kvm_sev_snp_launch_start {		/* 6.11 */
	__u64 policy;
	__u8 gosvw[16];
	__u16 flags;
	__u8 pad0[6];
	__u64 pad1[4];
};

struct kvm_sev_snp_launch_update {
	__u64 gfn_start;
	__u64 uaddr;
	__u64 len;
	__u8 type;
	__u8 pad0;
	__u16 flags;
	__u32 pad1;
	__u64 pad2[4];
};

#define KVM_SEV_SNP_FINISH_DATA_SIZE	32
struct kvm_sev_snp_launch_finish {
	__u64 id_block_uaddr;
	__u64 id_auth_uaddr;
	__u8 id_block_en;
	__u8 auth_key_en;
	__u8 vcek_disabled;
	__u8 host_data[KVM_SEV_SNP_FINISH_DATA_SIZE];
	__u8 pad0[3];
	__u16 flags;
	__u64 pad1[4];
};
#endif

/* TDX (6.16): KVM_MEMORY_ENCRYPT_OP on the VM or vCPU fd. */
#define GMEM_KVM_TDX_CAPABILITIES	0
#define GMEM_KVM_TDX_INIT_VM		1
#define GMEM_KVM_TDX_INIT_VCPU		2
#define GMEM_KVM_TDX_INIT_MEM_REGION	3
#define GMEM_KVM_TDX_FINALIZE_VM	4
#define GMEM_KVM_TDX_GET_CPUID		5

#ifndef KVM_TDX_MEASURE_MEMORY_REGION
#define KVM_TDX_MEASURE_MEMORY_REGION	(1ULL << 0)

struct kvm_tdx_cmd {
	__u32 id;
	__u32 flags;
	__u64 data;
	__u64 hw_error;
};

struct kvm_tdx_capabilities {
	__u64 supported_attrs;
	__u64 supported_xfam;
	__u64 kernel_tdvmcallinfo_1_r11;
	__u64 user_tdvmcallinfo_1_r11;
	__u64 kernel_tdvmcallinfo_1_r12;
	__u64 user_tdvmcallinfo_1_r12;
	__u64 reserved[250];
	struct kvm_cpuid2 cpuid;
};

struct kvm_tdx_init_vm {
	__u64 attributes;
	__u64 xfam;
	__u64 mrconfigid[6];
	__u64 mrowner[6];
	__u64 mrownerconfig[6];
	__u64 reserved[12];
	struct kvm_cpuid2 cpuid;
};

struct kvm_tdx_init_mem_region {
	__u64 source_addr;
	__u64 gpa;
	__u64 nr_pages;
};
#endif

#endif /* GMEM_COCO_UAPI_H */
