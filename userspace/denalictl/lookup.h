/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which VM an operator means by "ID|NAME" on denalictl's command line,
 * decided over a listing without any I/O, so that the host-side unit
 * tests can check every rule.  It matters most for `destroy`: a wrong
 * guess ends someone's VM, so anything that could mean two VMs is
 * refused rather than guessed.
 */
#ifndef DENALICTL_LOOKUP_H
#define DENALICTL_LOOKUP_H

#include <stdbool.h>
#include <stddef.h>

#include "uapi/denali.h"

/*
 * denali_parse_vm_id() - read @arg as a VM id
 *
 * True, with *@id set, for 1 to 10 decimal digits and nothing else
 * whose value fits in 32 bits ("7", "007"); false otherwise, @id
 * untouched.
 */
bool denali_parse_vm_id(const char *arg, unsigned int *id);

/*
 * denali_find_vm() - the VM in @vms (@n of them) that @arg names
 *
 * An @arg that reads as an id (denali_parse_vm_id()) means the VM with
 * that id, if one is listed: ids are unique, and this keeps every VM
 * reachable by its id even if another VM's name is those digits.  Any
 * other @arg, and digits that are no listed VM's id, mean the VM whose
 * name is exactly @arg.  Names are compared up to the field's end even
 * without a NUL.
 *
 * Returns the index of the VM in @vms; -ENOENT if none matches;
 * -ENOTUNIQ if more than one VM has that name; -EINVAL for a NULL or
 * empty @arg.
 */
int denali_find_vm(const struct denali_vm_info *vms, size_t n,
		   const char *arg);

#endif /* DENALICTL_LOOKUP_H */
