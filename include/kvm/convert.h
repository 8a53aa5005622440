/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared <-> private conversion, as a VMM does it: one handler for the
 * guest's requests (KVM_HC_MAP_GPA_RANGE exits, implicit conversions via
 * KVM_EXIT_MEMORY_FAULT) and one host-side conversion routine, whichever
 * attribute interface the kernel offers:
 *
 *   CONVERT_VM_ATTR:   KVM_SET_MEMORY_ATTRIBUTES on the VM fd (6.8 .. 7.3)
 *   CONVERT_GMEM_ATTR: KVM_SET_MEMORY_ATTRIBUTES2 on each region's
 *                      guest_memfd (in-place conversion series)
 *
 * With discard, the side that stops being used is released the way a VMM
 * frees it, on either path, in regions that keep two copies (a shared
 * backing next to the guest_memfd): going shared, punch the guest_memfd
 * hole (the private copy is stale); going private, MADV_DONTNEED or punch
 * the shared backing.  A guest_memfd-only region (the in-place layout)
 * keeps one copy and never discards.
 */
#ifndef GMEM_CONVERT_H
#define GMEM_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_ops.h"
#include "kvm_util.h"
#include "probe.h"

enum convert_path {
	CONVERT_VM_ATTR,
	CONVERT_GMEM_ATTR,
};

struct convert_stats {
	uint64_t calls;		/* conversions performed */
	uint64_t bytes;
	uint64_t refused;	/* requests answered EINVAL/EAGAIN */
	uint64_t preallocated;	/* guest_memfd bytes fallocated */
};

struct converter {
	struct kvm_vm *vm;
	enum convert_path path;
	bool discard;
	bool prealloc;		/* fallocate guest_memfd before private */
	struct convert_stats stats;
	pthread_mutex_t lock;	/* vCPU threads convert concurrently */
};

void converter_init(struct converter *c, struct kvm_vm *vm,
		    enum convert_path path, bool discard);
/*
 * The attribute interface this VM's kernel offers: the VM ioctl where it
 * has PRIVATE, else the guest_memfd ioctl (in-place series) if present.
 */
enum convert_path vm_convert_path(struct kvm_vm *vm);
/*
 * The common test layout on either path: the region of vm that spec
 * describes (a shared backing, + a guest_memfd when spec->gmem asks for
 * one), c set up on the path the kernel offers, and the region shared
 * (on the in-place path a guest_memfd starts private, so it is
 * converted).  Skips, naming the configuration, where PRIVATE is tracked
 * nowhere, or where the region has no guest_memfd but PRIVATE lives in
 * guest_memfd.
 */
struct kvm_region *converter_setup_region(struct converter *c,
					  struct kvm_vm *vm,
					  const struct region_spec *spec,
					  bool discard);
/*
 * Does a shared gfn of a guest_memfd memslot (guest_memfd without MMAP,
 * a separate userspace backing) reach the guest_memfd?  Only on the
 * in-place path, and there only where the kernel makes every guest_memfd
 * memslot guest_memfd-only (merged series); TRI_NO on the per-VM path.
 * Found by behaviour on a scratch VM of vm's type, once per type.
 */
enum tristate vm_shared_faults_from_gmem(struct kvm_vm *vm);
/*
 * Skip, naming the kernel's layout, where a case's separate shared
 * backing would never be mapped (vm_shared_faults_from_gmem).
 */
void require_separate_shared_backing(struct kvm_vm *vm);
/*
 * Pre-allocate: before a range goes private, fallocate(KEEP_SIZE) its
 * guest_memfd pages, as a VMM that populates private memory up front
 * does (upstream's MAP_GPA_DO_FALLOCATE); with discard, going shared
 * punches them again.
 */
void converter_set_prealloc(struct converter *c, bool prealloc);
/* Enable KVM_HC_MAP_GPA_RANGE exits (skips naming the cap if absent). */
void vm_enable_map_gpa_exits(struct kvm_vm *vm);

/*
 * Convert [gpa, gpa + size): 0 or a positive errno from the attribute
 * ioctl (EAGAIN on the in-place path carries *error_gpa).
 */
int convert_range(struct converter *c, uint64_t gpa, uint64_t size,
		  bool to_private, uint64_t *error_gpa);

/*
 * If the vCPU's exit is a conversion request (KVM_EXIT_HYPERCALL with
 * KVM_HC_MAP_GPA_RANGE), perform it, write the reply (0, EINVAL, EAGAIN:
 * positive, as TDX requires) and return true; false for any other exit.
 */
bool convert_handle_exit(struct converter *c, struct kvm_vcpu *vcpu);
/*
 * KVM_EXIT_MEMORY_FAULT (KVM_RUN failed with EFAULT): convert the faulting
 * range to what the access wanted (implicit conversion); true if handled.
 */
bool convert_handle_memory_fault(struct converter *c, struct kvm_vcpu *vcpu,
				 int run_err);

/*
 * KVM_RUN until an exit that is not a conversion request, performing the
 * requests (and implicit conversions) on the way.  Returns KVM_RUN's
 * error of the last run (0 normally).
 */
int vcpu_run_converting(struct converter *c, struct kvm_vcpu *vcpu);
/* A guest_ops command run through the handler: its answer. */
struct guest_result vcpu_cmd_converting(struct converter *c,
					struct kvm_vcpu *vcpu,
					enum guest_op op, uint64_t gpa,
					uint64_t size, uint64_t seed);

/* Decoded KVM_HC_MAP_GPA_RANGE arguments (pure: unit-testable). */
struct map_gpa_req {
	uint64_t gpa;
	uint64_t size;
	bool to_private;
	unsigned int page_size_hint;	/* 0 4K, 1 2M, 2 1G */
};
/* 0, or EINVAL for unknown attribute bits / a range that wraps. */
int map_gpa_decode(uint64_t gpa, uint64_t npages, uint64_t attrs,
		   struct map_gpa_req *req);
/*
 * What the handler answers a guest's request: map_gpa_decode(), then the
 * range must be guest memory (every byte in a memslot of vm): a VMM
 * converts RAM, never a hole, and a guest asking for 2^63 bytes must not
 * make KVM reserve 2^51 attribute entries.
 */
int map_gpa_check(struct kvm_vm *vm, uint64_t gpa, uint64_t npages,
		  uint64_t attrs, struct map_gpa_req *req);

#endif /* GMEM_CONVERT_H */
