# SPDX-License-Identifier: GPL-2.0
#
# How libilwaco and its guests are compiled and linked: included by
# libilwaco/Makefile (to build the library) and by guest.mk (to build
# guests), so the two can never disagree.  Sets ILWACO_DIR, ILWACO_TOP,
# ILWACO_CFLAGS, ILWACO_ASFLAGS and ILWACO_LDFLAGS.

ILWACO_DIR := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
ILWACO_TOP := $(abspath $(ILWACO_DIR)/..)

# Guests run alone in ring 3 with no C library, no kernel and no dynamic
# linker behind them, hence:
#   -ffreestanding -nostdinc -isystem <gcc's own headers>
#                       only the compiler's headers (stdarg.h, stddef.h,
#                       stdint.h...); the host's glibc headers would
#                       compile and then fail at link or run time;
#   -fno-builtin        printf and friends are libilwaco's, not the C
#                       library's: GCC must not rewrite printf("x\n") into
#                       puts() or assume other library behaviour;
#   -fno-pic -fno-pie   the image is linked at a fixed address;
#   -fno-stack-protector  no canary: it lives at %fs:0x28 and guests own
#                       FS (the state_junk test writes junk into it);
#   -fcf-protection=none  no endbr64 or CET notes: the monitor runs guests
#                       without IBT or shadow stacks;
#   -fno-asynchronous-unwind-tables  no .eh_frame: nothing unwinds;
#   -mno-red-zone       not needed for exceptions or hypercalls (the CPU
#                       switches to the monitor's stack on every entry to
#                       ring 0, so the guest's stack below RSP is never
#                       written), but kept so that libilwaco's future
#                       virtual-interrupt delivery may build frames on the
#                       interrupted stack without first skipping 128 bytes
#                       of red zone.  It costs a few stack adjustments in
#                       leaf functions; libgcc's helpers do use a red
#                       zone, so such delivery must still avoid running
#                       on top of a leaf that is inside libgcc.
ILWACO_CFLAGS := -O2 -g -std=gnu11 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-builtin -mno-red-zone -fcf-protection=none \
	-fno-asynchronous-unwind-tables -Wall -Wextra -Werror \
	-nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-I$(ILWACO_DIR)/include -I$(ILWACO_TOP)/include

ILWACO_ASFLAGS := -g -nostdinc -fno-pic -fno-pie -D__ASSEMBLY__ \
	-I$(ILWACO_DIR)/include -I$(ILWACO_TOP)/include

# The link recipe, spelled out without variables for anyone linking by
# hand (run from libilwaco/, or give guest.lds's path):
#   $(CC) -static -nostdlib -no-pie -Wl,-T,guest.lds -Wl,--build-id=none \
#         -Wl,-z,noexecstack -o X.img OBJS libilwaco.a -lgcc
# libgcc supplies what GCC may call on its own (128-bit division...).
ILWACO_LDFLAGS := -static -nostdlib -no-pie -Wl,-T,$(ILWACO_DIR)/guest.lds \
	-Wl,--build-id=none -Wl,-z,noexecstack

# Programs on musl (libilwaco-posix.a; ilwaco-cc, guest.mk's
# ilwaco_posix_guest): ordinary C against musl's headers, so no
# -ffreestanding or -fno-builtin, but the rest as above: fixed address,
# no canary (musl keeps it at %fs:0x28 like glibc, but guests own FS
# until start-up sets it), no CET, no unwind tables.  musl itself is
# built by tools/build-musl into ILWACO_MUSL.
ILWACO_MUSL ?= $(ILWACO_TOP)/build/musl/install
ILWACO_POSIX_CFLAGS := -fno-pic -fno-pie -fno-stack-protector \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-nostdinc -isystem $(ILWACO_MUSL)/include \
	-isystem $(shell $(CC) -print-file-name=include) \
	-I$(ILWACO_DIR)/include
# The link: libilwaco-posix.a and musl's libc.a refer to each other
# (musl calls __ilwaco_syscall, libilwaco calls memcpy), hence the group.
ILWACO_POSIX_LIBS = -Wl,--start-group $(ILWACO_OUTPUT)/libilwaco-posix.a \
	$(ILWACO_MUSL)/lib/libc.a -lgcc -Wl,--end-group

# Programs with networking (ilwaco-cc --net, guest.mk's
# ilwaco_posix_net_guest): lwIP and libilwaco's port in liblwip.a, built
# by tools/build-lwip into ILWACO_LWIP.  Nothing in a program refers to
# the stack directly (its system calls reach it through libilwaco-posix's
# weak references), so the link is told to take the socket layer and
# the network's start-up (-u), and the rest follows.
ILWACO_LWIP ?= $(ILWACO_TOP)/build/lwip
ILWACO_POSIX_NET_LIBS = -Wl,-u,ilwaco_sock_ops -Wl,-u,ilwaco_net_start \
	-Wl,--start-group $(ILWACO_LWIP)/liblwip.a \
	$(ILWACO_OUTPUT)/libilwaco-posix.a $(ILWACO_MUSL)/lib/libc.a -lgcc \
	-Wl,--end-group
