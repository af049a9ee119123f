/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How denalictl describes a crashed VM: the names of x86 exception
 * vectors and the text of the crash report.  Pure formatting to a FILE,
 * kept apart from the I/O so that the host-side unit tests can check the
 * exact text (tools and people parse it).
 */
#ifndef DENALICTL_REPORT_H
#define DENALICTL_REPORT_H

#include <stdio.h>

#include "uapi/denali.h"

/*
 * The mnemonic of x86 exception @vector ("#GP" for 13, "NMI" for 2), or
 * NULL for a vector that is reserved or not an exception (9, 15, 22 and
 * up).
 */
const char *denali_vector_name(unsigned int vector);

/*
 * A few words for enum denali_crash_cause @cause, e.g. "privileged
 * instruction"; "unknown cause" for a value this tool does not know.
 */
const char *denali_crash_cause_name(unsigned int cause);

/*
 * denali_print_crash() - write a crash report, several lines, to @out
 * @prog: the tool's name, to begin the first line ("denalictl").
 * @name: the VM's name; @id: its number.
 * @c:    the module's report.
 *
 * The format, one topic a line:
 *   denalictl: VM web (id 3) crashed: privileged instruction: cli
 *     vector 13 (#GP), error code 0x0, rip 0x10004, cr2 0x0
 *     code at rip: fa 90 90
 *     rax 0x0000000000000000 rbx ... rcx ... rdx ...
 *     rsi ... rdi ... rbp ... rsp ...
 *     r8 ... r9 ... r10 ... r11 ...
 *     r12 ... r13 ... r14 ... r15 ...
 *     rip ... rflags ... fs_base ... gs_base ...
 *     cs 0x33 ss 0x2b ds 0x0 es 0x0 fs 0x0 gs 0x0
 * The text after "crashed: " is the module's description, or the cause's
 * name when the module gave none.  "(#GP)" is left out for vectors
 * without a name; "code at rip: unreadable" when no byte could be read.
 */
void denali_print_crash(FILE *out, const char *prog, const char *name,
			unsigned int id, const struct denali_crash *c);

#endif /* DENALICTL_REPORT_H */
