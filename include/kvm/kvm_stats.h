/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KVM binary statistics (KVM_GET_STATS_FD, 5.14+): pages_4k/2m/1g,
 * pf_taken, pf_fixed, ... read by name from a VM or vCPU.
 */
#ifndef GMEM_KVM_STATS_H
#define GMEM_KVM_STATS_H

#include <stdbool.h>
#include <stdint.h>


struct kvm_vm;

struct kvm_stats {
	int fd;
	uint32_t nr_desc;
	uint32_t name_size;
	uint32_t data_offset;
	void *desc;		/* nr_desc descriptors of desc_size bytes */
	size_t desc_size;
};

/* Open the stats of a VM or vCPU fd; false when the kernel has none. */
bool stats_open(struct kvm_stats *s, int kvm_object_fd);
void stats_close(struct kvm_stats *s);
/* Value of a (single-valued) stat; false when the kernel lacks it. */
bool stats_get(struct kvm_stats *s, const char *name, uint64_t *val);

/*
 * Every single-valued stat at one moment: a VM's, or summed over all its
 * vCPUs.  Cumulative counters (pf_taken, exits, ...) are reported as
 * deltas, instant ones (pages_4k, ...) as the later value.
 */
#define STATS_MAX	160

struct stats_snapshot {
	unsigned int n;
	char name[STATS_MAX][48];
	uint64_t val[STATS_MAX];
	uint8_t cumulative[STATS_MAX];
};

void vm_stats_snapshot(struct kvm_vm *vm, struct stats_snapshot *s);
void vcpu_stats_snapshot(struct kvm_vm *vm, struct stats_snapshot *s);
/* Value of name in s, or 0. */
uint64_t snapshot_get(const struct stats_snapshot *s, const char *name);

/* VM-level stat by name; false when absent. */
bool vm_stat(struct kvm_vm *vm, const char *name, uint64_t *val);

#endif /* GMEM_KVM_STATS_H */
