/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ioctls the VM-type backends (lib/coco_vm.c) issue go through
 * kvm_ioctl(), so that unit tests can record their sequence and answer
 * them with a model of what KVM enforces, without the hardware
 * (tests/coco_unit_test.c).  Outside tests it is ioctl(2).
 */
#ifndef GMEM_KVM_IOCTL_H
#define GMEM_KVM_IOCTL_H

#include <sys/ioctl.h>

typedef int (*kvm_ioctl_fn)(int fd, unsigned long req, void *arg);
/* NULL: the real ioctl(2). */
extern kvm_ioctl_fn kvm_ioctl_hook;

static inline int kvm_ioctl(int fd, unsigned long req, void *arg)
{
	return kvm_ioctl_hook ? kvm_ioctl_hook(fd, req, arg) :
				ioctl(fd, req, arg);
}

#endif /* GMEM_KVM_IOCTL_H */
