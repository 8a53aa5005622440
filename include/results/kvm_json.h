/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The KVM library's findings as JSON (lib/results/kvm_json.c).
 */
#ifndef GMEM_KVM_JSON_H
#define GMEM_KVM_JSON_H

#include "json.h"
#include "probe.h"
#include "kvm_stats.h"

/* The whole probe under key. */
void probe_to_json(const struct host_probe *p, struct json *j,
		   const char *key);
/* {name: after - before (cumulative) or after (instant)}, non-zero only. */
void stats_delta_to_json(const struct stats_snapshot *before,
			 const struct stats_snapshot *after, struct json *j,
			 const char *key);

#endif /* GMEM_KVM_JSON_H */
