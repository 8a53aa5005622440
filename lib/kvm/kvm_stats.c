// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_util.h"
#include "kvm_stats.h"

struct stat_desc {
	uint32_t flags;
	int16_t exponent;
	uint16_t size;
	uint32_t offset;
	uint32_t bucket_size;
	char name[];
};

bool stats_open(struct kvm_stats *s, int kvm_object_fd)
{
	struct kvm_stats_header h;

	memset(s, 0, sizeof(*s));
	s->fd = ioctl(kvm_object_fd, KVM_GET_STATS_FD, NULL);
	if (s->fd < 0)
		return false;
	TEST_ASSERT(pread(s->fd, &h, sizeof(h), 0) == sizeof(h),
		    "reading the stats header");
	s->nr_desc = h.num_desc;
	s->name_size = h.name_size;
	s->data_offset = h.data_offset;
	s->desc_size = sizeof(struct stat_desc) + h.name_size;
	s->desc = calloc(h.num_desc, s->desc_size);
	TEST_ASSERT(s->desc, "calloc");
	TEST_ASSERT(pread(s->fd, s->desc, h.num_desc * s->desc_size,
			  h.desc_offset) == (ssize_t)(h.num_desc * s->desc_size),
		    "reading %u stats descriptors", h.num_desc);
	return true;
}

void stats_close(struct kvm_stats *s)
{
	if (s->fd >= 0)
		close(s->fd);
	free(s->desc);
	s->fd = -1;
	s->desc = NULL;
}

static struct stat_desc *desc_at(struct kvm_stats *s, uint32_t i)
{
	return (struct stat_desc *)((char *)s->desc + i * s->desc_size);
}

bool stats_get(struct kvm_stats *s, const char *name, uint64_t *val)
{
	uint32_t i;

	for (i = 0; i < s->nr_desc; i++) {
		struct stat_desc *d = desc_at(s, i);

		if (strcmp(d->name, name))
			continue;
		TEST_ASSERT(pread(s->fd, val, sizeof(*val),
				  s->data_offset + d->offset) == sizeof(*val),
			    "reading stat %s", name);
		return true;
	}
	return false;
}

bool vm_stat(struct kvm_vm *vm, const char *name, uint64_t *val)
{
	/* Opened on first use, closed by vm_free(). */
	if (!vm->stats) {
		vm->stats = calloc(1, sizeof(*vm->stats));
		TEST_ASSERT(vm->stats, "calloc");
		if (!stats_open(vm->stats, vm->fd)) {
			free(vm->stats);
			vm->stats = NULL;
			return false;
		}
	}
	return stats_get(vm->stats, name, val);
}

/* Add every single-valued stat of one fd to the snapshot. */
static void snapshot_add(struct stats_snapshot *snap, int kvm_object_fd)
{
	struct kvm_stats s;
	uint32_t i;

	if (!stats_open(&s, kvm_object_fd))
		return;
	for (i = 0; i < s.nr_desc; i++) {
		struct stat_desc *d = desc_at(&s, i);
		uint32_t type = d->flags & KVM_STATS_TYPE_MASK;
		unsigned int k;
		uint64_t v;

		if (d->size != 1 || type > KVM_STATS_TYPE_PEAK)
			continue;	/* histograms */
		TEST_ASSERT(pread(s.fd, &v, sizeof(v), s.data_offset +
				  d->offset) == sizeof(v), "stat %s", d->name);
		for (k = 0; k < snap->n; k++)
			if (!strcmp(snap->name[k], d->name))
				break;
		if (k == snap->n) {
			if (snap->n == STATS_MAX)
				continue;
			snprintf(snap->name[k], sizeof(snap->name[k]), "%s",
				 d->name);
			snap->cumulative[k] = type == KVM_STATS_TYPE_CUMULATIVE;
			snap->n++;
		}
		snap->val[k] += v;
	}
	stats_close(&s);
}

void vm_stats_snapshot(struct kvm_vm *vm, struct stats_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	snapshot_add(s, vm->fd);
}

void vcpu_stats_snapshot(struct kvm_vm *vm, struct stats_snapshot *s)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < vm->nr_vcpus; i++)
		snapshot_add(s, vm->vcpus[i]->fd);
}

uint64_t snapshot_get(const struct stats_snapshot *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->name[i], name))
			return s->val[i];
	return 0;
}
