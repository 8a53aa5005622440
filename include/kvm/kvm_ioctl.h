/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything the library asks of KVM and of the host goes through these:
 * the ioctls of lib/kvm/kvm_util.c, lib/kvm/gmem.c, lib/x86.c and the VM-type
 * backends (lib/kvm/coco_vm.c), the opening of /dev/kvm and /dev/sev, and
 * the host CPUID the backends read.  Unit tests point the hooks at a
 * model of what KVM and the hardware enforce (tests/model/kvm_model.c) and run
 * the real code against it, recording the sequence.  Outside tests they
 * are ioctl(2), open(2) and the CPUID instruction.
 */
#ifndef GMEM_KVM_IOCTL_H
#define GMEM_KVM_IOCTL_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "processor.h"

typedef int (*kvm_ioctl_fn)(int fd, unsigned long req, void *arg);
typedef int (*kvm_open_fn)(const char *path, int flags);
typedef void (*host_cpuid_fn)(uint32_t leaf, uint32_t sub, uint32_t *a,
			      uint32_t *b, uint32_t *c, uint32_t *d);
/* NULL: the real thing. */
extern kvm_ioctl_fn kvm_ioctl_hook;
extern kvm_open_fn kvm_open_hook;
extern host_cpuid_fn host_cpuid_hook;

static inline int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	return kvm_ioctl_hook ? kvm_ioctl_hook(fd, req, arg) :
				ioctl(fd, req, arg);
}

static inline int kvm_open(const char *path, int flags)
{
	return kvm_open_hook ? kvm_open_hook(path, flags) : open(path, flags);
}

static inline void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t *a,
			      uint32_t *b, uint32_t *c, uint32_t *d)
{
	if (host_cpuid_hook)
		host_cpuid_hook(leaf, sub, a, b, c, d);
	else
		cpuid(leaf, sub, a, b, c, d);
}

#endif /* GMEM_KVM_IOCTL_H */
