// SPDX-License-Identifier: GPL-2.0
/*
 * What the KVM library measured, as JSON: the host probe and KVM binary
 * stats deltas (the VM library knows nothing of the output format).
 */
#include "gmem.h"
#include "json.h"
#include "kvm_json.h"
#include "test_util.h"

/* VM type names as the probe's JSON spells them. */
static const char *const type_names[PROBE_NR_VM_TYPES] = {
	"default", "sw_protected", "sev", "sev_es", "snp", "tdx",
};

static void vm_type_to_json(const struct probe_vm_type *t, struct json *j,
			    const char *name)
{
	json_obj_begin(j, name);
	json_bool(j, "supported", t->supported);
	json_bool(j, "created", t->created);
	if (!t->created)
		json_str(j, "create_error", errno_name(t->create_errno));
	json_u64(j, "memory_attributes", t->mem_attrs);
	json_u64(j, "guest_memfd_flags", t->gmem_flags);
	if (t->gmem_attr_ioctl == TRI_UNKNOWN)
		json_null(j, "guest_memfd_attributes_ioctl");
	else
		json_bool(j, "guest_memfd_attributes_ioctl",
			  t->gmem_attr_ioctl == TRI_YES);
	if (t->gmem_private == TRI_UNKNOWN)
		json_null(j, "guest_memfd_private");
	else
		json_bool(j, "guest_memfd_private",
			  t->gmem_private == TRI_YES);
	json_u64(j, "guest_memfd_attributes_cap", t->gmem_attrs_cap);
	json_obj_end(j);
}

/* Which in-place uAPI numbers this kernel answers, and every candidate. */
static void gmem_uapi_to_json(const struct host_probe *p, struct json *j)
{
	unsigned int i, type;
	char k[16];

	json_obj_begin(j, "guest_memfd_attributes_uapi");
	json_u64(j, "request", p->gmem_attr_request);
	json_i64(j, "cap", p->gmem_attr_cap);
	json_u64(j, "cap_matches", p->gmem_attr_cap_matches);
	json_str(j, "revision", probe_gmem_revision(p));
	if (probe_in_place(p) == TRI_UNKNOWN)
		json_null(j, "in_place");
	else
		json_bool(j, "in_place", probe_in_place(p) == TRI_YES);
	json_obj_begin(j, "cap_candidates");
	for (i = 0; i < GMEM_ATTR_NR_CAP_REVS; i++) {
		snprintf(k, sizeof(k), "%d", gmem_attr_cap_revs[i].cap);
		json_obj_begin(j, k);
		json_str(j, "revisions", gmem_attr_cap_revs[i].revs);
		for (type = 0; type < PROBE_NR_VM_TYPES; type++)
			if (p->vm_type[type].created)
				json_u64(j, type_names[type],
					 p->vm_type[type].gmem_cap_answers[i]);
		json_obj_end(j);
	}
	json_obj_end(j);
	json_obj_end(j);
}

/* "provenance": what the run ran on beyond kernel and CPU name. */
static void provenance_to_json(const struct host_provenance *p,
			       struct json *j)
{
	unsigned int i;

	json_obj_begin(j, "provenance");
	json_str(j, "microcode", p->microcode);
	json_str(j, "cpufreq_governor", p->governor);
	json_str(j, "cpufreq_driver", p->cpufreq_driver);
	json_str(j, "boost", p->boost);
	json_str(j, "kernel_config_source", p->config_source);
	json_str(j, "kernel_config_fnv1a64", p->config_hash);
	if (p->sev_fw) {
		json_obj_begin(j, "sev_firmware");
		json_u64(j, "api_major", p->sev_api_major);
		json_u64(j, "api_minor", p->sev_api_minor);
		json_u64(j, "build", p->sev_build);
		json_obj_end(j);
	} else if (p->sev_error[0]) {
		json_str(j, "sev_firmware_error", p->sev_error);
	}
	if (p->nr_tdx) {
		json_obj_begin(j, "tdx_module");
		for (i = 0; i < p->nr_tdx; i++)
			json_str(j, p->tdx_name[i], p->tdx_value[i]);
		json_obj_end(j);
	}
	json_obj_end(j);
}

void probe_to_json(const struct host_probe *p, struct json *j,
		   const char *key)
{
	unsigned int i;

	json_obj_begin(j, key);
	json_str(j, "hostname", p->hostname);
	json_str(j, "kernel_release", p->kernel_release);
	json_str(j, "kernel_version", p->kernel_version);
	json_str(j, "cmdline", p->cmdline);
	json_str(j, "cpu_vendor", p->cpu_vendor);
	json_str(j, "cpu_model", p->cpu_model);
	json_u64(j, "nr_cpus", p->nr_cpus);
	json_u64(j, "mem_total_kb", p->mem_total_kb);
	json_bool(j, "kvm_ok", p->kvm_ok);
	if (!p->kvm_ok)
		json_str(j, "kvm_error", p->kvm_error);
	json_str(j, "kvm_module", p->kvm_module);
	json_u64(j, "vm_types_mask", p->vm_types_mask);
	json_obj_begin(j, "vm_types");
	for (i = 0; i < PROBE_NR_VM_TYPES; i++)
		vm_type_to_json(&p->vm_type[i], j, type_names[i]);
	json_obj_end(j);
	json_obj_begin(j, "caps");
	json_i64(j, "user_memory2", p->cap_user_memory2);
	json_i64(j, "guest_memfd", p->cap_guest_memfd);
	json_i64(j, "memory_fault_info", p->cap_memory_fault_info);
	json_i64(j, "exit_hypercall", p->cap_exit_hypercall);
	json_i64(j, "pre_fault_memory", p->cap_pre_fault_memory);
	json_i64(j, "binary_stats_fd", p->cap_binary_stats);
	json_i64(j, "nr_memslots", p->cap_nr_memslots);
	json_i64(j, "max_vcpus", p->cap_max_vcpus);
	json_u64(j, "memory_attributes_system", p->mem_attrs_system);
	json_u64(j, "guest_memfd_flags_system", p->gmem_flags_system);
	json_obj_end(j);
	gmem_uapi_to_json(p, j);
	json_str(j, "conversion_layout", p->conversion_layout);
	json_bool(j, "gbpages", p->gbpages);
	json_u64(j, "guest_phys_bits", p->guest_phys_bits);
	json_u64(j, "tsc_khz", p->tsc_khz);
	json_obj_begin(j, "module_params");
	for (i = 0; i < p->nr_params; i++) {
		char k[80];

		snprintf(k, sizeof(k), "%s.%s", p->params[i].module,
			 p->params[i].name);
		json_str(j, k, p->params[i].value);
	}
	json_obj_end(j);
	json_obj_begin(j, "hugetlb");
	json_u64(j, "nr_2m", p->hugetlb_2m.nr);
	json_u64(j, "free_2m", p->hugetlb_2m.free_pages);
	json_u64(j, "nr_1g", p->hugetlb_1g.nr);
	json_u64(j, "free_1g", p->hugetlb_1g.free_pages);
	json_bool(j, "pool_1g_present", p->hugetlb_1g.present);
	json_obj_end(j);
	json_str(j, "thp_enabled", p->thp_enabled);
	json_str(j, "thp_defrag", p->thp_defrag);
	json_str(j, "thp_shmem_enabled", p->thp_shmem);
	json_str(j, "numa_online", p->numa_online);
	json_u64(j, "numa_nodes", p->numa_nodes);
	provenance_to_json(&p->prov, j);
	json_obj_end(j);
}

void stats_delta_to_json(const struct stats_snapshot *before,
			 const struct stats_snapshot *after, struct json *j,
			 const char *key)
{
	unsigned int i;

	json_obj_begin(j, key);
	for (i = 0; i < after->n; i++) {
		uint64_t v = after->val[i];

		if (after->cumulative[i])
			v -= snapshot_get(before, after->name[i]);
		if (v)
			json_u64(j, after->name[i], v);
	}
	json_obj_end(j);
}
