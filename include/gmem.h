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
/* Allocate backing pages (FALLOC_FL_KEEP_SIZE: mode 0 is EOPNOTSUPP). */
void gmem_allocate(int fd, uint64_t offset, uint64_t len);
void gmem_punch_hole(int fd, uint64_t offset, uint64_t len);

/* KVM_SET_MEMORY_ATTRIBUTES on the VM fd (per-VM attribute path). */
int __vm_set_memory_attributes(struct kvm_vm *vm, uint64_t gpa,
			       uint64_t size, uint64_t attrs, uint64_t flags);
void vm_set_memory_attributes(struct kvm_vm *vm, uint64_t gpa, uint64_t size,
			      uint64_t attrs);
#define vm_set_private(vm, gpa, size) \
	vm_set_memory_attributes(vm, gpa, size, KVM_MEMORY_ATTRIBUTE_PRIVATE)
#define vm_set_shared(vm, gpa, size) \
	vm_set_memory_attributes(vm, gpa, size, 0)

/*
 * KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd (in-place series).  On
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
 * Does this guest_memfd answer KVM_SET_MEMORY_ATTRIBUTES2?  Found by
 * behaviour (ENOTTY = absent, or kvm.gmem_in_place_conversion=N), since
 * the series' capability number moved between revisions.
 */
enum tristate gmem_fd_attributes_ioctl(int gmem_fd);
bool gmem_has_attributes_ioctl(struct kvm_vm *vm);
/*
 * Is PRIVATE set on the guest_memfd (in-place series) rather than on the
 * VM fd?  The VM ioctl wins where it offers PRIVATE.  gmem_fd < 0: probe
 * a guest_memfd of vm.
 */
bool vm_private_on_gmem(struct kvm_vm *vm, int gmem_fd);
/* Skip naming what is missing unless the in-place path works on vm. */
void require_gmem_attributes(struct kvm_vm *vm);

#endif /* GMEM_GMEM_H */
