// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kvm_ioctl.h"
#include "gmem.h"
#include "probe.h"

int __gmem_create(struct kvm_vm *vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd g = { .size = size, .flags = flags };
	int fd = kvm_ioctl(vm->fd, KVM_CREATE_GUEST_MEMFD, &g);

	return fd < 0 ? -errno : fd;
}

const char *gmem_absent_reason(const char *release)
{
	static char why[256];
	unsigned int major = 0, minor = 0;

	if (sscanf(release, "%u.%u", &major, &minor) == 2 &&
	    (major > 6 || (major == 6 && minor >= 8)))
		snprintf(why, sizeof(why), "KVM_CAP_GUEST_MEMFD = 0 on %s: "
			 "this kernel build lacks guest_memfd "
			 "(CONFIG_KVM_GUEST_MEMFD off); make vmcheck runs the "
			 "suite on a kernel that has it", release);
	else
		snprintf(why, sizeof(why), "KVM_CAP_GUEST_MEMFD = 0: kernel "
			 "%s is older than 6.8 (no guest_memfd); make vmcheck "
			 "runs the suite on a kernel that has it", release);
	return why;
}

int gmem_create(struct kvm_vm *vm, uint64_t size, uint64_t flags)
{
	int fd = __gmem_create(vm, size, flags);

	if (fd == -ENOTTY || (fd == -EINVAL &&
			      !vm_check_cap(vm, KVM_CAP_GUEST_MEMFD)))
		test_skip("KVM_CREATE_GUEST_MEMFD refused (%s): %s",
			  errno_name(-fd),
			  gmem_absent_reason(probe_host()->kernel_release));
	TEST_ASSERT(fd >= 0, "KVM_CREATE_GUEST_MEMFD(size 0x%llx, flags "
		    "0x%llx) on %s: %s", (unsigned long long)size,
		    (unsigned long long)flags, vm_type_name(vm->type),
		    errno_name(-fd));
	return fd;
}

uint64_t gmem_supported_flags(struct kvm_vm *vm)
{
	int r = vm_check_cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS);
	uint64_t flags = 0, bit;
	int fd;

	if (r > 0)
		return (uint64_t)r;
	/* Kernels without the capability: try each known flag alone. */
	for (bit = 1; bit & GMEM_KNOWN_FLAGS; bit <<= 1) {
		fd = __gmem_create(vm, SZ_4K, bit);
		if (fd >= 0) {
			flags |= bit;
			close(fd);
		}
	}
	return flags;
}

void *__gmem_mmap(int fd, uint64_t size, uint64_t offset)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    offset);
}

void *gmem_mmap(int fd, uint64_t size, uint64_t offset)
{
	void *p = __gmem_mmap(fd, size, offset);

	TEST_ASSERT(p != MAP_FAILED, "mmap(guest_memfd %d, size 0x%llx, "
		    "offset 0x%llx)", fd, (unsigned long long)size,
		    (unsigned long long)offset);
	return p;
}

#ifndef __NR_cachestat
#define __NR_cachestat	451		/* 6.5, every architecture */
#endif

long gmem_cached_pages(int fd, uint64_t offset, uint64_t len)
{
	struct { uint64_t off, len; } range = { offset, len };
	struct {
		uint64_t nr_cache, nr_dirty, nr_writeback, nr_evicted;
		uint64_t nr_recently_evicted;
	} cs = { 0 };

	if (syscall(__NR_cachestat, fd, &range, &cs, 0))
		return -errno;
	return cs.nr_cache;
}

int __gmem_fallocate(int fd, int mode, uint64_t offset, uint64_t len)
{
	return fallocate(fd, mode, offset, len) ? errno : 0;
}

void gmem_allocate(int fd, uint64_t offset, uint64_t len)
{
	int r = __gmem_fallocate(fd, FALLOC_FL_KEEP_SIZE, offset, len);

	TEST_ASSERT(!r, "fallocate(guest_memfd, KEEP_SIZE, 0x%llx, 0x%llx): %s",
		    (unsigned long long)offset, (unsigned long long)len,
		    errno_name(r));
}

void gmem_punch_hole(int fd, uint64_t offset, uint64_t len)
{
	int r = __gmem_fallocate(fd, FALLOC_FL_PUNCH_HOLE |
				 FALLOC_FL_KEEP_SIZE, offset, len);

	TEST_ASSERT(!r, "fallocate(guest_memfd, PUNCH_HOLE, 0x%llx, 0x%llx): "
		    "%s", (unsigned long long)offset,
		    (unsigned long long)len, errno_name(r));
}

int __vm_set_memory_attributes(struct kvm_vm *vm, uint64_t gpa,
			       uint64_t size, uint64_t attrs, uint64_t flags)
{
	struct kvm_memory_attributes a = {
		.address = gpa, .size = size, .attributes = attrs,
		.flags = flags,
	};

	return kvm_ioctl(vm->fd, KVM_SET_MEMORY_ATTRIBUTES, &a) ? errno : 0;
}

bool vm_has_attributes_ioctl(struct kvm_vm *vm)
{
	/* attributes 0 on a valid range: ENOTTY = no VM ioctl at all. */
	return __vm_set_memory_attributes(vm, 0, SZ_4K, 0, 0) != ENOTTY;
}

/* Why the VM fd does not take attrs (bits absent from the cap). */
static void __noreturn vm_attr_skip(struct kvm_vm *vm, uint64_t attrs)
{
	int cap = vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES);

	if (!vm_has_attributes_ioctl(vm))
		test_skip("KVM_SET_MEMORY_ATTRIBUTES absent: no per-VM "
			  "attributes on this kernel (in-place series built "
			  "without CONFIG_KVM_VM_MEMORY_ATTRIBUTES)");
	if (attrs & KVM_MEMORY_ATTRIBUTE_PRIVATE &&
	    probe_in_place(probe_host()) == TRI_YES)
		test_skip("KVM_SET_MEMORY_ATTRIBUTES(PRIVATE) refused on the VM"
			  " fd of %s: PRIVATE lives in guest_memfd (%s, "
			  "KVM_CAP_MEMORY_ATTRIBUTES = 0x%x)",
			  vm_type_name(vm->type), in_place_on_reason(), cap);
	test_skip("KVM_SET_MEMORY_ATTRIBUTES(0x%llx) not offered on the VM fd"
		  " of %s (KVM_CAP_MEMORY_ATTRIBUTES = 0x%x)",
		  (unsigned long long)attrs, vm_type_name(vm->type), cap);
}

void require_vm_private_attr(struct kvm_vm *vm)
{
	if (!(vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES) &
	      KVM_MEMORY_ATTRIBUTE_PRIVATE))
		vm_attr_skip(vm, KVM_MEMORY_ATTRIBUTE_PRIVATE);
}

void vm_set_memory_attributes(struct kvm_vm *vm, uint64_t gpa, uint64_t size,
			      uint64_t attrs)
{
	int r = __vm_set_memory_attributes(vm, gpa, size, attrs, 0);

	if (r == ENOTTY || (r == EINVAL &&
			    !(vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES) &
			      attrs)))
		vm_attr_skip(vm, attrs);
	TEST_ASSERT(!r, "KVM_SET_MEMORY_ATTRIBUTES(gpa 0x%llx, size 0x%llx, "
		    "attrs 0x%llx): %s", (unsigned long long)gpa,
		    (unsigned long long)size, (unsigned long long)attrs,
		    errno_name(r));
}

/*
 * KVM_SET_MEMORY_ATTRIBUTES2 request numbers, newest first, and the
 * capability numbers the series used (include/kvm/compat.h).
 */
static const unsigned long attr2_requests[] = {
	GMEM_SET_ATTRIBUTES2_D2, GMEM_SET_ATTRIBUTES2_D6,
};
static unsigned long attr2_request;

const struct gmem_attr_cap_rev gmem_attr_cap_revs[GMEM_ATTR_NR_CAP_REVS] = {
	{ 252, "merged (kvm-x86 2026-09-22, 7.4)" },
	{ 250, "v8" },
	{ 249, "RFC v4..v7" },
	{ 248, "RFC with KVM_CAP_MEMORY_ATTRIBUTES2 = 247" },
	{ 246, "RFC with request 0xd6" },
};

enum tristate gmem_fd_attributes_ioctl(int gmem_fd)
{
	/* flags bit 63 is invalid in every revision: nothing converts. */
	struct kvm_memory_attributes2 a = {
		.offset = 0, .size = SZ_4K, .flags = 1ULL << 63,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(attr2_requests); i++) {
		if (!kvm_ioctl(gmem_fd, attr2_requests[i], &a) || errno != ENOTTY) {
			attr2_request = attr2_requests[i];
			return TRI_YES;
		}
	}
	return TRI_NO;
}

unsigned long gmem_attr_request(void)
{
	return attr2_request;
}

int __gmem_set_attributes2(int fd, struct kvm_memory_attributes2 *a)
{
	if (!attr2_request && gmem_fd_attributes_ioctl(fd) == TRI_NO)
		return ENOTTY;
	return kvm_ioctl(fd, attr2_request, a) ? errno : 0;
}

int __gmem_set_attributes(int fd, uint64_t offset, uint64_t size,
			  uint64_t attrs, uint64_t flags,
			  uint64_t *error_offset)
{
	struct kvm_memory_attributes2 a = {
		.offset = offset, .size = size, .attributes = attrs,
		.flags = flags,
	};
	int r = __gmem_set_attributes2(fd, &a);

	if (error_offset)
		*error_offset = a.error_offset;
	return r;
}

void gmem_set_attributes(int fd, uint64_t offset, uint64_t size,
			 uint64_t attrs)
{
	uint64_t err_off = 0;
	int r = __gmem_set_attributes(fd, offset, size, attrs, 0, &err_off);

	if (r == ENOTTY)
		test_skip("KVM_SET_MEMORY_ATTRIBUTES2 on guest_memfd %s",
			  gmem_attr_absent_reason());
	TEST_ASSERT(!r, "KVM_SET_MEMORY_ATTRIBUTES2(guest_memfd, offset 0x%llx,"
		    " size 0x%llx, attrs 0x%llx): %s, error_offset 0x%llx",
		    (unsigned long long)offset, (unsigned long long)size,
		    (unsigned long long)attrs, errno_name(r),
		    (unsigned long long)err_off);
}

bool gmem_has_attributes_ioctl(struct kvm_vm *vm)
{
	int fd = gmem_create(vm, SZ_2M, 0);
	enum tristate t = gmem_fd_attributes_ioctl(fd);

	close(fd);
	return t == TRI_YES;
}

enum tristate gmem_private_on_vm_fd(int vm_fd)
{
	struct kvm_create_guest_memfd g = { .size = SZ_4K };
	struct kvm_memory_attributes2 a = {
		.size = SZ_4K, .attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	int fd = kvm_ioctl(vm_fd, KVM_CREATE_GUEST_MEMFD, &g), r;

	if (fd < 0)
		return TRI_UNKNOWN;
	r = __gmem_set_attributes2(fd, &a);
	close(fd);
	return r ? TRI_NO : TRI_YES;
}

const char *in_place_on_reason(void)
{
	if (probe_in_place_param(probe_host()) == TRI_YES)
		return "in-place conversion on: kvm.gmem_in_place_conversion=Y";
	return "in-place conversion always on: merged series without "
	       "CONFIG_KVM_VM_MEMORY_ATTRIBUTES, no parameter";
}

const char *gmem_attr_absent_reason(void)
{
	switch (probe_in_place_param(probe_host())) {
	case TRI_NO:
		return "off (kvm.gmem_in_place_conversion=0)";
	case TRI_YES:
		return "unanswered although kvm.gmem_in_place_conversion=Y "
		       "(no known request number)";
	default:
		return "absent (kernel without the in-place conversion "
		       "series)";
	}
}

bool vm_private_on_gmem(struct kvm_vm *vm, int gmem_fd)
{
	/*
	 * VM-fd PRIVATE wins where offered (6.8 .. 7.3, and in-place
	 * kernels with CONFIG_KVM_VM_MEMORY_ATTRIBUTES and the parameter N).
	 */
	if (vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES) &
	    KVM_MEMORY_ATTRIBUTE_PRIVATE)
		return false;
	if (gmem_fd < 0)
		return gmem_has_attributes_ioctl(vm);
	return gmem_fd_attributes_ioctl(gmem_fd) == TRI_YES;
}

void require_gmem_attributes(struct kvm_vm *vm)
{
	TEST_REQUIRE(gmem_has_attributes_ioctl(vm), "KVM_SET_MEMORY_ATTRIBUTES2"
		     " on guest_memfd %s", gmem_attr_absent_reason());
	TEST_REQUIRE(gmem_private_on_vm_fd(vm->fd) == TRI_YES,
		     "KVM_SET_MEMORY_ATTRIBUTES2 refuses PRIVATE on guest_memfds"
		     " of %s (EINVAL: no private memory on this VM type)",
		     vm_type_name(vm->type));
}

void require_private_tracking(struct kvm_vm *vm)
{
	int cap = vm_check_cap(vm, KVM_CAP_MEMORY_ATTRIBUTES);

	if (cap & KVM_MEMORY_ATTRIBUTE_PRIVATE ||
	    gmem_private_on_vm_fd(vm->fd) == TRI_YES)
		return;
	test_skip("PRIVATE is tracked nowhere on %s: %s, and "
		  "KVM_SET_MEMORY_ATTRIBUTES2 on guest_memfd %s",
		  vm_type_name(vm->type),
		  !vm_has_attributes_ioctl(vm) ? "no per-VM attributes "
		  "(KVM_SET_MEMORY_ATTRIBUTES is ENOTTY)" :
		  "KVM_CAP_MEMORY_ATTRIBUTES lacks PRIVATE",
		  gmem_has_attributes_ioctl(vm) ?
		  "refuses PRIVATE on this VM type (EINVAL)" :
		  gmem_attr_absent_reason());
}
