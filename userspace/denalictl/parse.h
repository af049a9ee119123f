/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What denalictl accepts on its command line, decided without any I/O so
 * that the host-side unit tests (selftests/host/denalictl_test.c) can
 * check every rule without a kernel.
 */
#ifndef DENALICTL_PARSE_H
#define DENALICTL_PARSE_H

#include <stdbool.h>

/* The largest size parse_size() accepts: 2^63 bytes. */
#define DENALICTL_SIZE_MAX (1ull << 63)

/*
 * parse_size() - read a size such as "16M", "1g" or "1048576"
 * @s:   decimal digits, optionally followed by one of K, M or G (or k, m,
 *       g) meaning 2^10, 2^20 or 2^30; nothing before, between or after
 *       (no sign, no spaces, no "B" or "iB").  Leading zeros are decimal.
 * @out: set to the size in bytes on success, untouched on failure.
 *
 * Returns 0; -EINVAL if @s is NULL, empty, malformed or zero; -ERANGE if
 * the size is above DENALICTL_SIZE_MAX.
 */
int parse_size(const char *s, unsigned long long *out);

/*
 * valid_vm_name() - whether @name may name a VM
 *
 * True for 1 to DENALI_NAME_MAX - 1 (31) characters, each a letter,
 * digit, '.', '_' or '-', except "." and ".." (names may become path
 * components in later tools).  False for NULL.
 */
bool valid_vm_name(const char *name);

#endif /* DENALICTL_PARSE_H */
