/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMs, vCPUs and memslots.
 *
 * A VM comes with a "system" memslot at GPA 0 that holds a copy of this
 * binary's loaded image at its link address (the binary is built with
 * -no-pie), page tables, GDT/IDT/TSS and vCPU stacks, all identity-mapped
 * (GVA == GPA).  Guest code is therefore any function of this binary that
 * avoids libc.  Test regions are further memslots, identity-mapped too,
 * with the guest leaf size chosen per region.
 */
#ifndef GMEM_KVM_UTIL_H
#define GMEM_KVM_UTIL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "compat.h"
#include "test_util.h"
#include "ucall.h"
#include "vm_kind.h"

struct kvm_stats;

#define KVM_DEV_PATH		"/dev/kvm"
#define VM_MAX_VCPUS		64
#define SYS_SLOT		0
/*
 * The system slot's pool (after the binary): page tables, stacks, GDT/IDT.
 * SYS_POOL_RESERVE of it is kept for everything but the page tables of
 * test regions (bench_check_fit()).
 */
#define SYS_POOL_SIZE		(64ULL << 20)
#define SYS_POOL_RESERVE	(8ULL << 20)
/* Default GPA of the first test region: above 4 GiB, clear of the system slot. */
#define TEST_REGION_GPA		0x100000000ULL

enum backing_type {
	BACKING_ANON,		/* private anonymous, THP off (4K) */
	BACKING_THP,		/* private anonymous, MADV_HUGEPAGE, 2M aligned */
	BACKING_SHMEM,		/* memfd, MAP_SHARED */
	BACKING_HUGETLB_2M,	/* memfd MFD_HUGETLB | MFD_HUGE_2MB */
	BACKING_HUGETLB_1G,	/* memfd MFD_HUGETLB | MFD_HUGE_1GB */
	BACKING_GMEM,		/* the guest_memfd's own mmap (FLAG_MMAP) */
	BACKING_NONE,		/* no userspace mapping: guest_memfd only */
	NR_BACKING_TYPES
};

enum guest_page {
	GUEST_PAGE_4K,
	GUEST_PAGE_2M,
	GUEST_PAGE_1G,
};

enum gmem_mode {
	GMEM_NONE,		/* plain memslot */
	GMEM_CREATE,		/* create a guest_memfd for the region */
	GMEM_BIND,		/* bind spec.gmem_fd at spec.gmem_offset */
};

struct region_spec {
	uint64_t gpa;
	uint64_t size;
	enum backing_type backing;
	enum guest_page guest_page;
	bool no_guest_map;	/* leave it out of the guest page tables */
	enum gmem_mode gmem;
	uint64_t gmem_flags;	/* GMEM_CREATE */
	int gmem_fd;		/* GMEM_BIND */
	uint64_t gmem_offset;	/* GMEM_BIND */
	/*
	 * The guest maps it private from the start: confidential VMs encode
	 * the C-bit/shared bit so, and the library marks it PRIVATE before
	 * launch (the guest accepts it before use, guest_accept()).
	 */
	bool private;
};

struct kvm_region {
	struct kvm_region *next;
	uint32_t slot;
	uint64_t gpa;
	uint64_t size;
	enum backing_type backing;
	enum guest_page guest_page;
	void *hva;		/* shared side, NULL for BACKING_NONE */
	void *map_base;		/* what to munmap (hva may be aligned up) */
	size_t map_size;
	int fd;			/* memfd of shmem/hugetlb, else -1 */
	int gmem_fd;		/* -1 when none */
	bool gmem_owned;	/* created (and closed) by the library */
	uint64_t gmem_offset;
	uint32_t flags;		/* KVM_MEM_* */
};

struct kvm_vcpu {
	struct kvm_vm *vm;
	uint32_t id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t stack_top;
	/* Watchdog bookkeeping (lib/kvm/kvm_util.c). */
	pthread_t thread;
	volatile int in_run;
	volatile uint64_t run_start_ns;
	volatile int timed_out;
	/* The guest's progress word (UCALL_PROGRESS_OFFSET) and when it last moved. */
	volatile uint64_t *progress;
	uint64_t wd_progress, wd_progress_ns;
	uint64_t mailbox_gpa;	/* lib/kvm/guest_ops.c */
	uint64_t info_gpa;	/* struct guest_vcpu_info (shared window) */
	/* Thread helper. */
	void *(*thread_fn)(struct kvm_vcpu *);
	void *thread_ret;
};

struct kvm_vm {
	int kvm_fd;
	int fd;
	unsigned long type;
	struct kvm_region *regions;
	struct kvm_region *sys;
	uint32_t next_slot;
	uint64_t sys_next;	/* bump allocator inside the system slot */
	uint64_t sys_end;
	uint64_t pml4;		/* GPA of the top-level page table */
	uint64_t gdt, idt;
	struct kvm_cpuid2 *cpuid;
	unsigned int phys_bits;
	bool amd;
	unsigned int nr_vcpus;
	struct kvm_vcpu *vcpus[VM_MAX_VCPUS];
	struct kvm_stats *stats;	/* lib/kvm/kvm_stats.c, lazily */
	unsigned int run_timeout_ms;

	/* VM type: what differs lives in the backend (lib/kvm/coco_vm.c). */
	enum vm_kind kind;
	const struct vm_backend *backend;	/* NULL: nothing to launch */
	enum coco_kind coco;
	unsigned int coco_bit;	/* SNP C-bit / TDX shared bit */
	bool launched;		/* set by the first KVM_RUN */
	int sev_fd;		/* SNP: /dev/sev, else -1 */
	/*
	 * Shared window of the system slot ([4K, 2M), 4K leaves, never
	 * private): per-vCPU info, ucall and GHCB pages, mailboxes.
	 */
	uint64_t shared_next, shared_end;
	bool ucall_shared;	/* vm_ucall_via_shared() */
	/* vCPUs start in the boot stub (include/kvm/boot_stub.h). */
	bool boot_stub;
	uint64_t boot_params;	/* GPA of struct boot_params */
};

/*
 * Per-VM-type operations; every hook is optional.  Default and
 * SW_PROTECTED VMs have none.  Written from the uAPI documentation for
 * SNP and TDX (lib/kvm/coco_vm.c).
 */
struct vm_backend {
	/* After KVM_CREATE_VM, before the system slot: 0 or -errno. */
	int (*vm_init)(struct kvm_vm *vm, char *why, size_t len);
	/* After KVM_CREATE_VCPU; owns KVM_SET_CPUID2 when present. */
	void (*vcpu_init)(struct kvm_vcpu *vcpu);
	/* Populate, measure and finalize: at the first KVM_RUN. */
	void (*launch)(struct kvm_vm *vm);
	void (*vm_free)(struct kvm_vm *vm);
	/*
	 * vCPU start: the vCPUs start at the reset vector in the boot stub
	 * (lib/kvm/boot_stub.S), their registers kept there, not set by
	 * KVM_SET_REGS/SREGS (TDX: the state is protected from creation).
	 */
	bool boot_stub;
};
const struct vm_backend *vm_backend_of(enum vm_kind k);

/* ---- /dev/kvm --------------------------------------------------------- */
/* Open /dev/kvm; skips (exit 4) naming the reason when it cannot. */
int open_kvm_dev(void);
/* KVM_CHECK_EXTENSION on /dev/kvm (system scope). */
int kvm_check_cap(long cap);
const char *backing_name(enum backing_type t);
bool backing_from_name(const char *name, enum backing_type *t);
uint64_t guest_page_bytes(enum guest_page p);

/* ---- VMs --------------------------------------------------------------- */
/*
 * Called with the kind of every VM created: the harness (lib/harness/ktap.c)
 * notes which kinds a case created.
 */
extern void (*vm_created_hook)(enum vm_kind k);
/* NULL with errno set when KVM_CREATE_VM fails (e.g. unsupported type). */
struct kvm_vm *__vm_create(unsigned long type);
struct kvm_vm *vm_create(unsigned long type);
/*
 * A VM of kind k, or NULL with the reason in why (skip text: the kind is
 * not offered, its module parameter is off, /dev/sev is missing...).
 */
struct kvm_vm *__vm_create_kind(enum vm_kind k, char *why, size_t len);
/* As above; skips the test (exit 4) with the reason. */
struct kvm_vm *vm_create_kind(enum vm_kind k);
/*
 * A VM of kind k for a test that needs private memory: skips when the
 * kind has none ("default") or cannot run here.
 */
struct kvm_vm *vm_create_private(enum vm_kind k);
/*
 * Same, for cases that check sw_protected semantics (the host reads and
 * writes both sides, the guest sends raw KVM_HC_MAP_GPA_RANGE): skips on
 * snp/tdx with that reason, after any reason the type cannot run here.
 */
struct kvm_vm *vm_create_private_plain(enum vm_kind k);
/* Launch now (normally done by the first KVM_RUN); idempotent. */
void vm_launch(struct kvm_vm *vm);
void vm_free(struct kvm_vm *vm);
int vm_check_cap(struct kvm_vm *vm, long cap);
/* Bound each KVM_RUN of this VM (scaled by GMEMSUITE_TIMEOUT_SCALE). */
void vm_set_run_timeout(struct kvm_vm *vm, unsigned int ms);
int __vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0);
void vm_enable_cap(struct kvm_vm *vm, uint32_t cap, uint64_t arg0);
const char *vm_type_name(unsigned long type);

/* ---- Memory ------------------------------------------------------------ */
struct kvm_region *vm_add_region(struct kvm_vm *vm,
				 const struct region_spec *spec);
/* Raw KVM_SET_USER_MEMORY_REGION2: 0 or a positive errno. */
int __vm_set_user_memory_region2(struct kvm_vm *vm, uint32_t slot,
				 uint32_t flags, uint64_t gpa, uint64_t size,
				 void *hva, int gmem_fd, uint64_t gmem_offset);
struct kvm_region *vm_find_region(struct kvm_vm *vm, uint64_t gpa);
/*
 * Free the memory behind [off, off + len) of a region (MADV_DONTNEED or
 * a punched hole, guest_memfd included) so the next touch faults again.
 */
void region_discard(struct kvm_region *r, uint64_t off, uint64_t len);
/* Host address of a GPA's shared side; NULL when not mapped. */
void *addr_gpa2hva(struct kvm_vm *vm, uint64_t gpa);
/* Map [gva, gva+size) to [gpa, ...) with leaves of the given size. */
void virt_map(struct kvm_vm *vm, uint64_t gva, uint64_t gpa, uint64_t size,
	      enum guest_page page);
/*
 * Allocate zeroed, identity-mapped pages from the system slot (private in
 * confidential VMs: only before launch).
 */
uint64_t vm_alloc_sys_pages(struct kvm_vm *vm, unsigned int nr_pages);
/* Same from the shared window: pages the host reads and writes. */
uint64_t vm_alloc_shared_pages(struct kvm_vm *vm, unsigned int nr_pages);
/*
 * Start vCPUs added from now on in the boot stub at the reset vector
 * (TDX does it always; tests use it to run the stub in other VMs).
 */
void vm_use_boot_stub(struct kvm_vm *vm);
/*
 * Send ucalls through the vCPUs' shared pages as confidential guests do
 * (tests of that path; default: from the stack).
 */
void vm_ucall_via_shared(struct kvm_vm *vm);
/*
 * Put a vCPU in the state a TDX vCPU starts in (for such tests); without
 * efer_lme, EFER.LME is left clear and the boot stub sets it.
 */
void vcpu_set_tdx_reset_state(struct kvm_vcpu *vcpu, bool efer_lme);
bool vm_supports_guest_page(struct kvm_vm *vm, enum guest_page page,
			    const char **why);

/* Copy a host global into the guest's copy of the binary image. */
#define sync_global_to_guest(vm, g) \
	memcpy(addr_gpa2hva(vm, (uint64_t)(uintptr_t)&(g)), &(g), sizeof(g))
#define sync_global_from_guest(vm, g) \
	memcpy(&(g), addr_gpa2hva(vm, (uint64_t)(uintptr_t)&(g)), sizeof(g))

/* ---- vCPUs -------------------------------------------------------------- */
struct kvm_vcpu *vm_vcpu_add(struct kvm_vm *vm, void *guest_code);
/* Up to six integer arguments for guest_code (SysV registers). */
void vcpu_args_set(struct kvm_vcpu *vcpu, unsigned int n, ...);
/* KVM_RUN under the watchdog: 0 or a positive errno (EINTR on timeout). */
int __vcpu_run(struct kvm_vcpu *vcpu);
/* Fail the test for a KVM_RUN error (ETIMEDOUT: the watchdog fired). */
void __noreturn vcpu_fail_run(struct kvm_vcpu *vcpu, int err);
/* KVM_RUN; fails the test on error or watchdog timeout. */
void vcpu_run(struct kvm_vcpu *vcpu);
/* Decode the current exit as a ucall; UCALL_NONE when it is not one. */
uint64_t vcpu_get_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);
/*
 * Run until the next ucall.  Fails the test (with file:line, values,
 * vector, RIP, exit reason) on GUEST_ASSERT, a guest exception, or any
 * other exit.  Returns UCALL_SYNC or UCALL_DONE.
 */
uint64_t vcpu_run_ucall(struct kvm_vcpu *vcpu, struct ucall *uc);
/* Print a ucall that ended a guest (assert or exception) to the log. */
void ucall_report(struct kvm_vcpu *vcpu, const struct ucall *uc);
void vcpu_get_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
void vcpu_set_regs(struct kvm_vcpu *vcpu, struct kvm_regs *regs);
const char *exit_reason_name(uint32_t reason);
/* KVM_EXIT_SYSTEM_EVENT in words (SNP termination, TDX fatal error). */
const char *system_event_describe(uint32_t type, uint32_t ndata,
				  const uint64_t *data, char *buf, size_t len);
/* Fail with the exit reason and RIP: for exits a test did not expect. */
void __noreturn vcpu_unexpected_exit(struct kvm_vcpu *vcpu, const char *file,
				     int line);
#define VCPU_UNEXPECTED_EXIT(v) vcpu_unexpected_exit(v, __FILE__, __LINE__)
#define TEST_ASSERT_EXIT(vcpu, reason)					\
do {									\
	if ((vcpu)->run->exit_reason != (reason))			\
		vcpu_unexpected_exit(vcpu, __FILE__, __LINE__);		\
} while (0)

/* Run fn(vcpu) on a thread of its own; join collects fn's return. */
void vcpu_thread_start(struct kvm_vcpu *vcpu,
		       void *(*fn)(struct kvm_vcpu *));
void *vcpu_thread_join(struct kvm_vcpu *vcpu);

/* TSC frequency of the vCPU in kHz (KVM_GET_TSC_KHZ); 0 if unknown. */
uint64_t vcpu_tsc_khz(struct kvm_vcpu *vcpu);

/* ---- Arch internals shared between lib files ----------------------------- */
void x86_vm_setup(struct kvm_vm *vm);
/* KVM_GET_SUPPORTED_CPUID into vm->cpuid (once). */
void x86_get_supported_cpuid(struct kvm_vm *vm);
/* Boot-stub vCPUs before launch: registers live in the boot params. */
bool x86_boot_regs_access(struct kvm_vcpu *vcpu, struct kvm_regs *regs,
			  bool set);
/* Private/shared encoding of a leaf mapping gpa (C-bit, shared bit). */
uint64_t x86_leaf_enc(struct kvm_vm *vm, bool private);
void virt_map_enc(struct kvm_vm *vm, uint64_t gva, uint64_t gpa,
		  uint64_t size, enum guest_page page, uint64_t enc);
void x86_vcpu_setup(struct kvm_vcpu *vcpu, void *guest_code);
struct kvm_cpuid_entry2 *vm_cpuid_entry(struct kvm_vm *vm, uint32_t fn,
					uint32_t idx);

#endif /* GMEM_KVM_UTIL_H */
