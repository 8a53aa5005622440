// SPDX-License-Identifier: GPL-2.0
/*
 * The host probe agrees with the kernel: what it says is offered can be
 * used, and what it says is missing is refused.  Its JSON is printed as
 * diagnostics, so a vmcheck log records what the guest kernel offered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "gmem.h"
#include "ktap.h"
#include "kvm_util.h"
#include "kvm_json.h"
#include "probe.h"

static void probe_dump(void)
{
	const struct host_probe *p = probe_host();
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *f = open_memstream(&buf, &len);

	TEST_ASSERT(f, "open_memstream");
	json_init(&j, f);
	probe_to_json(p, &j, NULL);
	fclose(f);
	test_diag("%s", buf);
	free(buf);
	TEST_REQUIRE(p->kvm_ok, "probe could not use KVM: %s", p->kvm_error);
}

/* KVM_CAP_VM_TYPES bits agree with KVM_CREATE_VM for DEFAULT/SW_PROTECTED. */
static void vm_types_agree_with_creation(void)
{
	const struct host_probe *p = probe_host();
	unsigned long t;

	TEST_REQUIRE(p->kvm_ok, "%s", p->kvm_error);
	for (t = KVM_X86_DEFAULT_VM; t <= KVM_X86_SW_PROTECTED_VM; t++) {
		const struct probe_vm_type *v = &p->vm_type[t];

		TEST_ASSERT(v->supported == v->created, "%s: cap says %s, "
			    "KVM_CREATE_VM %s", vm_type_name(t),
			    v->supported ? "supported" : "unsupported",
			    v->created ? "succeeded" :
			    errno_name(v->create_errno));
	}
}

/* Advertised guest_memfd flags create, and the layout matches the caps. */
static void gmem_flags_and_layout_consistent(void)
{
	const struct host_probe *p = probe_host();
	struct kvm_vm *vm;
	uint64_t want;
	int fd;

	TEST_REQUIRE(p->kvm_ok, "%s", p->kvm_error);
	TEST_REQUIRE(p->cap_guest_memfd, "KVM_CAP_GUEST_MEMFD absent");
	vm = vm_create(KVM_X86_DEFAULT_VM);
	want = p->vm_type[KVM_X86_DEFAULT_VM].gmem_flags;
	fd = __gmem_create(vm, SZ_2M, want);
	TEST_ASSERT(fd >= 0, "flags 0x%llx from the probe: %s",
		    (unsigned long long)want, errno_name(-fd));
	close(fd);
	vm_free(vm);
	if (!strcmp(p->conversion_layout, "per-vm"))
		TEST_ASSERT(p->vm_type[KVM_X86_SW_PROTECTED_VM].mem_attrs &
			    KVM_MEMORY_ATTRIBUTE_PRIVATE, "per-vm layout "
			    "without a VM-level PRIVATE attribute");
	test_diag("conversion layout: %s", p->conversion_layout);
}

static const struct ktap_case cases[] = {
	KTAP_CASE(probe_dump),
	KTAP_CASE(vm_types_agree_with_creation),
	KTAP_CASE(gmem_flags_and_layout_consistent),
};

int main(int argc, char **argv)
{
	return ktap_main(argc, argv, cases, ARRAY_SIZE(cases));
}
