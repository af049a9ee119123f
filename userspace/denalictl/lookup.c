// SPDX-License-Identifier: GPL-2.0
/*
 * Naming VMs on denalictl's command line; see lookup.h.
 *
 * The id is parsed by hand for the same reason as parse_size(): strtoul()
 * would take " 7", "+7" and "-1", and "-1" would quietly become the
 * largest id.
 */
#include <errno.h>
#include <string.h>

#include "lookup.h"

#define VM_ID_DIGITS_MAX	10	/* 4294967295 */

bool denali_parse_vm_id(const char *arg, unsigned int *id)
{
	unsigned long long v = 0;
	size_t i;

	if (!arg || !*arg)
		return false;
	for (i = 0; arg[i]; i++) {
		if (arg[i] < '0' || arg[i] > '9' || i >= VM_ID_DIGITS_MAX)
			return false;
		v = v * 10 + (arg[i] - '0');
	}
	if (v > 0xffffffffull)
		return false;
	*id = v;
	return true;
}

static bool name_is(const struct denali_vm_info *vm, const char *arg)
{
	size_t len = strlen(arg);

	/* Equal lengths first: memcmp() must stay inside the field. */
	return strnlen(vm->name, sizeof(vm->name)) == len &&
	       !memcmp(vm->name, arg, len);
}

int denali_find_vm(const struct denali_vm_info *vms, size_t n,
		   const char *arg)
{
	unsigned int id;
	int found = -ENOENT;
	size_t i;

	if (!arg || !*arg)
		return -EINVAL;
	if (denali_parse_vm_id(arg, &id))
		for (i = 0; i < n; i++)
			if (vms[i].id == id)
				return i;
	for (i = 0; i < n; i++) {
		if (!name_is(&vms[i], arg))
			continue;
		if (found >= 0)
			return -ENOTUNIQ;
		found = i;
	}
	return found;
}
