/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uAPI newer than the system's <linux/kvm.h>.
 *
 * Debian bookworm ships 6.1 headers; everything guest_memfd-related came
 * later.  Each definition is guarded so newer headers win, and names the
 * release (or the unmerged series) it comes from.  Numbers of unmerged
 * interfaces are not final: code must detect them by behaviour too.
 */
#ifndef GMEM_COMPAT_H
#define GMEM_COMPAT_H

#include <linux/kvm.h>
#include <linux/types.h>

/* ---- Capabilities ---------------------------------------------------- */
#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL 201			/* 5.14 */
#endif
#ifndef KVM_CAP_BINARY_STATS_FD
#define KVM_CAP_BINARY_STATS_FD 203			/* 5.14 */
#endif
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231			/* 6.8 */
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO 232			/* 6.8 */
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES 233			/* 6.8 */
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234				/* 6.8 */
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235				/* 6.8 */
#endif
#ifndef KVM_CAP_PRE_FAULT_MEMORY
#define KVM_CAP_PRE_FAULT_MEMORY 236			/* 6.10 */
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244			/* 6.18 */
#endif
/*
 * In-place conversion series (Ackerley Tng / Sean Christopherson): the
 * capability's number moved with every rebase (246, 248, 249, 250 in the
 * revisions posted up to v8; 7.3 gives 250 to KVM_CAP_PPC_COMPAT_CAPS and
 * 251 to KVM_CAP_ARM_PMU_V3_STRICT, and the merged series, kvm-x86
 * 2026-09-22, uses 252).  No number is assumed: lib/kvm/gmem.c finds which
 * candidate (gmem_attr_uapi_revs[]) reports PRIVATE exactly where the
 * guest_memfd ioctl takes it.  KVM_CAP_MEMORY_ATTRIBUTES2 existed only in
 * RFC revisions and is not used.
 */

/* ---- VM types (x86, 6.8 .. 6.16) ------------------------------------- */
#ifndef KVM_X86_DEFAULT_VM
#define KVM_X86_DEFAULT_VM	0			/* 6.8 */
#define KVM_X86_SW_PROTECTED_VM	1			/* 6.8 */
#endif
#ifndef KVM_X86_SEV_VM
#define KVM_X86_SEV_VM		2			/* 6.10 */
#define KVM_X86_SEV_ES_VM	3			/* 6.10 */
#endif
#ifndef KVM_X86_SNP_VM
#define KVM_X86_SNP_VM		4			/* 6.11 */
#endif
#ifndef KVM_X86_TDX_VM
#define KVM_X86_TDX_VM		5			/* 6.16 */
#endif

/* ---- Memslots: KVM_SET_USER_MEMORY_REGION2 (6.8) ---------------------- */
#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD	(1UL << 2)
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2 \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif

/* ---- Memory attributes on the VM fd (6.8) ------------------------------ */
#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE	(1ULL << 3)
struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_SET_MEMORY_ATTRIBUTES \
	_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif

/*
 * ---- Memory attributes on the guest_memfd fd (in-place series) ----------
 * 128 bytes in every revision; "offset" aliases "address" when the fd is
 * a guest_memfd.  error_offset is output only, written back on failure
 * (EAGAIN: the page whose folio has an unexpected reference).  The
 * request is _IOWR(KVMIO, 0xd2) since RFC v2 (0xd6 before); lib/kvm/gmem.c
 * uses whichever one a guest_memfd answers.  The struct is our own copy
 * under another name: a newer <linux/kvm.h> may define it (and a request
 * number other than the kernel under test's).
 */
struct kvm_memory_attributes2_gmemsuite {
	union {
		__u64 address;
		__u64 offset;
	};
	__u64 size;
	__u64 attributes;
	__u64 flags;
	__u64 error_offset;
	__u64 reserved[11];
};
#define kvm_memory_attributes2 kvm_memory_attributes2_gmemsuite
_Static_assert(sizeof(struct kvm_memory_attributes2) == 128,
	       "struct kvm_memory_attributes2 is 128 bytes");
#define GMEM_SET_ATTRIBUTES2_D2 \
	_IOWR(KVMIO, 0xd2, struct kvm_memory_attributes2)	/* RFC v2 .. v8 */
#define GMEM_SET_ATTRIBUTES2_D6 \
	_IOWR(KVMIO, 0xd6, struct kvm_memory_attributes2)	/* RFC v1 */

/* ---- guest_memfd (6.8; flags 6.18) ----------------------------------- */
#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD \
	_IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP		(1ULL << 0)	/* 6.18 */
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED	(1ULL << 1)	/* 6.18 */
#endif

/* ---- KVM_PRE_FAULT_MEMORY (6.10) ------------------------------------- */
#ifndef KVM_PRE_FAULT_MEMORY
struct kvm_pre_fault_memory {
	__u64 gpa;
	__u64 size;
	__u64 flags;
	__u64 padding[5];
};
#define KVM_PRE_FAULT_MEMORY \
	_IOWR(KVMIO, 0xd5, struct kvm_pre_fault_memory)
#endif

/*
 * ---- KVM_EXIT_MEMORY_FAULT (6.8) --------------------------------------
 * The 6.1 struct kvm_run lacks the union member; it starts where every
 * other exit's union member starts, so it is read through this overlay.
 */
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT		39
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE	(1ULL << 3)
#endif
struct gmem_memory_fault_exit {
	__u64 flags;
	__u64 gpa;
	__u64 size;
};
static inline struct gmem_memory_fault_exit *
run_memory_fault(struct kvm_run *run)
{
	return (struct gmem_memory_fault_exit *)((char *)run +
		__builtin_offsetof(struct kvm_run, hw));
}

/* ---- Hypercalls (linux/kvm_para.h) ----------------------------------- */
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE		12		/* 5.14 */
#endif
#define KVM_MAP_GPA_RANGE_PAGE_SZ_4K	0
#define KVM_MAP_GPA_RANGE_PAGE_SZ_2M	1
#define KVM_MAP_GPA_RANGE_PAGE_SZ_1G	2
#define KVM_MAP_GPA_RANGE_ENC_STAT(n)	((n) << 4)
#define KVM_MAP_GPA_RANGE_ENCRYPTED	KVM_MAP_GPA_RANGE_ENC_STAT(1)
#define KVM_MAP_GPA_RANGE_DECRYPTED	KVM_MAP_GPA_RANGE_ENC_STAT(0)

/* ---- Binary stats (5.14) --------------------------------------------- */
#ifndef KVM_GET_STATS_FD
#define KVM_GET_STATS_FD		_IO(KVMIO, 0xce)
#endif

/* ---- madvise (6.1) ----------------------------------------------------- */
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif

#endif /* GMEM_COMPAT_H */
