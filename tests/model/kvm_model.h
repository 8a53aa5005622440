/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A model of what KVM (Linux 7.3: svm/sev.c, vmx/tdx.c, x86.c, lapic.c,
 * virt/kvm/guest_memfd.c) enforces on the launch of SEV-SNP and TDX VMs,
 * answering the library's ioctls through the hooks of kvm_ioctl.h.  The
 * library's real code (vm_create, vm_vcpu_add, the backends' launch)
 * runs against it on any host: each call is recorded, each rule KVM
 * checks is checked, and the first call KVM would refuse is kept with
 * the rule and its source.  File descriptors are memfds, so the
 * library's mmaps of kvm_run and guest memory work.
 */
#ifndef GMEM_KVM_MODEL_H
#define GMEM_KVM_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "coco.h"

#define MODEL_MAX_VCPUS	8
#define MODEL_LOG_SIZE	8192

struct kvm_model_vcpu {
	int fd;
	bool cpuid_set, x2apic;		/* KVM_SET_CPUID2 seen, with X2APIC */
	bool td_initialized;		/* KVM_TDX_INIT_VCPU done */
	bool regs_set, sregs_set;
	bool protected_state;		/* registers refused from now on */
};

struct kvm_model {
	enum coco_kind coco;		/* COCO_SNP or COCO_TDX */
	unsigned long vm_type;
	int kvm_fd, vm_fd, sev_fd;
	bool split_irqchip;
	/* SNP */
	bool sev_init, snp_started, snp_finished;
	/* TDX */
	bool td_initialized, td_runnable;
	unsigned int nr_vcpus;
	struct kvm_model_vcpu vcpus[MODEL_MAX_VCPUS];
	unsigned int pages_per_call;	/* populate advances this much */
	uint64_t populated;		/* pages measured into the image */
	/* PRIVATE attribute, one bit per 4K page below 4 GiB. */
	uint8_t *private_map;
	/* What happened: ioctl names in order, space separated. */
	char log[MODEL_LOG_SIZE];
	/* The first call KVM would refuse: rule and source. */
	char violation[256];
};

/* Point the hooks at m (coco: COCO_SNP or COCO_TDX). */
void kvm_model_start(struct kvm_model *m, enum coco_kind coco);
/* Restore the real ioctl/open/cpuid; free the model's memory. */
void kvm_model_stop(struct kvm_model *m);
/* Whether KVM_RUN would be accepted for every vCPU now (else why). */
const char *kvm_model_run_refused(struct kvm_model *m);
/* Index in m->log of the first event starting with what, or -1. */
int kvm_model_find(const struct kvm_model *m, const char *what);

#endif /* GMEM_KVM_MODEL_H */
