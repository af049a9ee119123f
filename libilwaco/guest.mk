# SPDX-License-Identifier: GPL-2.0
#
# Building Denali guest images from C files, for other Makefiles.
#
# Usage, in a Makefile that sets OUTPUT (where images go) first:
#
#   OUTPUT ?= ../build/guests
#   include ../libilwaco/guest.mk
#   all: $(OUTPUT)/hello.img
#   $(eval $(call ilwaco_guest,hello,hello.c util.c))
#   CFLAGS_hello.o := -DEXTRA   # optional: flags for one object
#
# ilwaco_guest NAME,SOURCES links $(OUTPUT)/NAME.img from SOURCES (C files
# beside the Makefile) and libilwaco.a.  Objects go to $(ILWACO_OBJDIR)
# ($(OUTPUT)/.obj unless set), the library to $(ILWACO_OUTPUT)
# (build/libilwaco unless set); the library is (re)built by its own
# Makefile whenever an image is needed, so it never goes stale.
#
# Also defined: ILWACO_CFLAGS, ILWACO_LDFLAGS (flags.mk), ILWACO_LIB, and
# ILWACO_LINK, the link command for a rule whose prerequisites are the
# image's objects.

include $(dir $(lastword $(MAKEFILE_LIST)))flags.mk

# The rules below must not become the including Makefile's default goal.
ilwaco_saved_goal := $(.DEFAULT_GOAL)

override OUTPUT := $(abspath $(OUTPUT))
ILWACO_OBJDIR ?= $(OUTPUT)/.obj
ILWACO_OUTPUT ?= $(ILWACO_TOP)/build/libilwaco
override ILWACO_OUTPUT := $(abspath $(ILWACO_OUTPUT))
ILWACO_LIB := $(ILWACO_OUTPUT)/libilwaco.a
ILWACO_POSIX_LIB := $(ILWACO_OUTPUT)/libilwaco-posix.a

# Every image is checked for system-call instructions as it is linked.
ILWACO_LINK = $(CC) $(ILWACO_LDFLAGS) -o $@ $(filter %.o,$^) \
	$(ILWACO_LIB) -lgcc && $(ILWACO_CHECK)
ILWACO_CHECK = { $(ILWACO_TOP)/tools/check-no-syscall $@ || { rm -f $@; false; }; }
ILWACO_POSIX_LINK = $(CC) $(ILWACO_LDFLAGS) -o $@ $(filter %.o,$^) \
	$(ILWACO_POSIX_LIBS) && $(ILWACO_CHECK)

# Always ask libilwaco's Makefile: it knows the library's sources.  When
# nothing changed the archive keeps its timestamp and no image relinks.
$(ILWACO_LIB): ilwaco-force
	@$(MAKE) --no-print-directory -C $(ILWACO_DIR) OUTPUT=$(ILWACO_OUTPUT)

ilwaco-force:
.PHONY: ilwaco-force

# The same Makefile builds the POSIX layer's archive: once it has run,
# the archive's own time says whether the images on it must relink.
$(ILWACO_POSIX_LIB): $(ILWACO_LIB) ;

$(ILWACO_OBJDIR)/%.o: %.c $(ILWACO_DIR)/flags.mk
	@mkdir -p $(@D)
	$(CC) $(ILWACO_CFLAGS) $(CFLAGS_$(@F)) -MMD -MP -c -o $@ $<

$(ILWACO_OBJDIR)/posix/%.o: %.c $(ILWACO_DIR)/flags.mk
	@mkdir -p $(@D)
	$(CC) -O2 -g -std=gnu11 -Wall -Wextra -Werror $(ILWACO_POSIX_CFLAGS) \
		$(CFLAGS_$(@F)) -MMD -MP -c -o $@ $<

define ilwaco_guest
$(OUTPUT)/$(1).img: $(2:%.c=$(ILWACO_OBJDIR)/%.o) $(ILWACO_LIB) \
		$(ILWACO_DIR)/guest.lds
	@mkdir -p $$(@D)
	$$(ILWACO_LINK)
-include $(2:%.c=$(ILWACO_OBJDIR)/%.d)
endef


# ilwaco_posix_guest NAME,SOURCES: the same for a program on musl, an
# ordinary C program with libilwaco-posix.a as its kernel (ilwaco-cc
# does the same from the command line).  Objects go to
# $(ILWACO_OBJDIR)/posix/; musl must have been built (tools/build-musl).
define ilwaco_posix_guest
$(OUTPUT)/$(1).img: $(2:%.c=$(ILWACO_OBJDIR)/posix/%.o) $(ILWACO_POSIX_LIB) \
		$(ILWACO_DIR)/guest.lds $(ILWACO_MUSL)/lib/libc.a
	@mkdir -p $$(@D)
	$$(ILWACO_POSIX_LINK)
-include $(2:%.c=$(ILWACO_OBJDIR)/posix/%.d)
endef

# ilwaco_posix_net_guest NAME,SOURCES: the same with the network stack
# (lwIP, BSD sockets; ilwaco-cc --net); tools/build-lwip must have built
# $(ILWACO_LWIP)/liblwip.a.
ILWACO_POSIX_NET_LINK = $(CC) $(ILWACO_LDFLAGS) -o $@ $(filter %.o,$^) \
	$(ILWACO_POSIX_NET_LIBS) && $(ILWACO_CHECK)
define ilwaco_posix_net_guest
$(OUTPUT)/$(1).img: $(2:%.c=$(ILWACO_OBJDIR)/posix/%.o) $(ILWACO_LIB) \
		$(ILWACO_DIR)/guest.lds $(ILWACO_MUSL)/lib/libc.a \
		$(ILWACO_LWIP)/liblwip.a
	@mkdir -p $$(@D)
	$$(ILWACO_POSIX_NET_LINK)
-include $(2:%.c=$(ILWACO_OBJDIR)/posix/%.d)
endef

.DEFAULT_GOAL := $(ilwaco_saved_goal)
