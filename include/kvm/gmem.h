/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_memfd and memory attributes.
 *
 * Two levels, as in the KVM selftests: __name() returns the raw result
 * (0 or a positive errno) for tests that expect an error; name() asserts
 * success so that success paths carry no error handling.
 */
#ifndef GMEM_GMEM_H
#define GMEM_GMEM_H

#include <stdint.h>

#include "kvm_util.h"
#include "probe.h"

/* Every GUEST_MEMFD_FLAG_* this suite knows of. */
#define GMEM_KNOWN_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

/* KVM_CREATE_GUEST_MEMFD: fd >= 0, or -errno. */
int __gmem_create(struct kvm_vm *vm, uint64_t size, uint64_t flags);
int gmem_create(struct kvm_vm *vm, uint64_t size, uint64_t flags);
/*
 * Flags this VM accepts: KVM_CAP_GUEST_MEMFD_FLAGS where the kernel has
 * it, else found by trying each bit (6.8 .. 6.17 accept none).
 */
uint64_t gmem_supported_flags(struct kvm_vm *vm);
/* MAP_SHARED mapping of [offset, offset + size); MAP_FAILED + errno. */
void *__gmem_mmap(int fd, uint64_t size, uint64_t offset);
void *gmem_mmap(int fd, uint64_t size, uint64_t offset);

int __gmem_fallocate(int fd, int mode, uint64_t offset, uint64_t len);
/*
 * Pages of [offset, +len) in the guest_memfd's page cache (allocated,
 * whether or not yet cleared for use), from cachestat(2) (6.5+); a
 * negative errno if the kernel cannot tell (ENOSYS: no cachestat).
 * mincore() would not do: it counts only folios marked up to date, which
 * guest_memfd does on first use, not on fallocate.
 */
long gmem_cached_pages(int fd, uint64_t offset, uint64_t len);
/* Allocate backing pages (FALLOC_FL_KEEP_SIZE: mode 0 is EOPNOTSUPP). */
void gmem_allocate(int fd, uint64_t offset, uint64_t len);
void gmem_punch_hole(int fd, uint64_t offset, uint64_t len);

/* KVM_SET_MEMORY_ATTRIBUTES on the VM fd (per-VM attribute path). */
int __vm_set_memory_attributes(struct kvm_vm *vm, uint64_t gpa,
			       uint64_t size, uint64_t attrs, uint64_t flags);
void vm_set_memory_attributes(struct kvm_vm *vm, uint64_t gpa, uint64_t size,
			      uint64_t attrs);
/* Does the VM fd have KVM_SET_MEMORY_ATTRIBUTES at all (not ENOTTY)? */
bool vm_has_attributes_ioctl(struct kvm_vm *vm);
/* Skip, naming why, unless the VM fd takes PRIVATE (per-VM path). */
void require_vm_private_attr(struct kvm_vm *vm);
#define vm_set_private(vm, gpa, size) \
	vm_set_memory_attributes(vm, gpa, size, KVM_MEMORY_ATTRIBUTE_PRIVATE)
#define vm_set_shared(vm, gpa, size) \
	vm_set_memory_attributes(vm, gpa, size, 0)

/*
 * KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd (in-place series), through
 * the request number the kernel answers (gmem_attr_request()).  On
 * failure *error_offset (if non-NULL) receives what the kernel wrote back.
 */
int __gmem_set_attributes(int fd, uint64_t offset, uint64_t size,
			  uint64_t attrs, uint64_t flags,
			  uint64_t *error_offset);
/* Full control of the 128-byte struct, for reserved-field cases. */
int __gmem_set_attributes2(int fd, struct kvm_memory_attributes2 *a);
void gmem_set_attributes(int fd, uint64_t offset, uint64_t size,
			 uint64_t attrs);
#define gmem_set_private(fd, off, size) \
	gmem_set_attributes(fd, off, size, KVM_MEMORY_ATTRIBUTE_PRIVATE)
#define gmem_set_shared(fd, off, size) \
	gmem_set_attributes(fd, off, size, 0)

/*
 * The in-place series' unmerged constants, per revision posted.  Nothing
 * is assumed: the request number is the one a guest_memfd answers, the
 * capability the one that reports PRIVATE exactly on the VM types whose
 * guest_memfd takes PRIVATE (lib/kvm/probe.c).
 */
struct gmem_attr_cap_rev {
	int cap;		/* KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES */
	const char *revs;	/* revisions that used it */
};
extern const struct gmem_attr_cap_rev gmem_attr_cap_revs[];
/* Indices of the two revisions the suite runs on (gmem_attr_cap_revs[]). */
#define GMEM_REV_MERGED	0
#define GMEM_REV_V8	1

/*
 * Does this guest_memfd answer KVM_SET_MEMORY_ATTRIBUTES2 (any known
 * request number)?  ENOTTY from all = absent, or the series' parameter
 * kvm.gmem_in_place_conversion=0.  The first answer fixes the request
 * used from then on.
 */
enum tristate gmem_fd_attributes_ioctl(int gmem_fd);
/* The request number in use (0 before any guest_memfd answered). */
unsigned long gmem_attr_request(void);
/*
 * Why a kernel has no guest_memfd (KVM_CAP_GUEST_MEMFD = 0), from its
 * release: a 6.8+ build without it, or an older kernel.
 */
const char *gmem_absent_reason(const char *release);
/* Why in-place conversion is on (probe_in_place() == TRI_YES), for skips. */
const char *in_place_on_reason(void);
/* Why the guest_memfd ioctl is absent, for skip messages. */
const char *gmem_attr_absent_reason(void);
bool gmem_has_attributes_ioctl(struct kvm_vm *vm);
/*
 * Does the guest_memfd ioctl take PRIVATE on guest_memfds of this VM (raw
 * VM fd)?  Found on a fresh 4K guest_memfd, which starts private, so the
 * call changes nothing: YES (0), NO (EINVAL: VM type without private
 * memory, or ENOTTY), UNKNOWN (no guest_memfd could be created).
 */
enum tristate gmem_private_on_vm_fd(int vm_fd);
/*
 * Is PRIVATE set on the guest_memfd (in-place series) rather than on the
 * VM fd?  The VM ioctl wins where it offers PRIVATE.  gmem_fd < 0: probe
 * a guest_memfd of vm.
 */
bool vm_private_on_gmem(struct kvm_vm *vm, int gmem_fd);
/*
 * Skip, naming what is missing, unless the guest_memfd ioctl takes
 * PRIVATE on vm (by behaviour; the capability is checked by
 * attr_scope_test, not assumed here).
 */
void require_gmem_attributes(struct kvm_vm *vm);
/*
 * Skip unless PRIVATE is tracked somewhere for vm: the VM fd
 * (KVM_CAP_MEMORY_ATTRIBUTES) or its guest_memfds (in-place series).
 */
void require_private_tracking(struct kvm_vm *vm);

#endif /* GMEM_GMEM_H */
