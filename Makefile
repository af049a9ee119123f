# SPDX-License-Identifier: GPL-2.0
#
# Denali for Linux: top-level build.
#
#   make              denali.ko for every test kernel, denalictl, guests,
#                     selftests
#   make KDIR=DIR     denali.ko for the kernel built in DIR instead, e.g.
#                     KDIR=/lib/modules/$(uname -r)/build
#   make check        everything, then host tests, checkpatch and the
#                     selftests in every test lane; ends "N passed, N failed"
#   make bench        benchmarks beside native Linux (bench/README.md)
#   make demo         boot a test machine, load the module, run denalictl
#   make vm-shell     an interactive shell in a test machine (LANE=name)
#   make clean        remove build/ (cache/ with downloads stays)
#
# Outputs: build/kernel/<release>/denali.ko, build/userspace/denalictl,
# build/kselftest/ (an installed kselftest tree).  Downloads: cache/.

TOP := $(CURDIR)
LANE ?= $(firstword $(shell tools/testvm/run --list-lanes))
# The kernel meta-packages the lanes boot; each gets its own denali.ko.
KERNEL_METAS := $(shell grep -v '^\#' tools/testvm/lanes | awk 'NF {print $$2}' | sort -u)

all: module userspace guests selftests

# Host packages, test kernels with their headers, the kernel's test and
# style tools.  Each step returns at once when its work is already done.
deps:
	@tools/install-deps
	@tools/testvm/fetch-kernels
	@tools/fetch-kernel-tools

ifdef KDIR
module: deps
	@tools/build-module $(KDIR)
else
module: deps
	@for meta in $(KERNEL_METAS); do \
		tools/build-module "$$(tools/testvm/fetch-kernels --print-kdir $$meta)" || exit 1; \
	done
endif

userspace: deps
	@$(MAKE) -s -C userspace/denalictl OUTPUT=$(TOP)/build/userspace
	@echo "  denalictl  build/userspace/denalictl"

# libilwaco first, so the two guest builds never race to rebuild it.
guests: deps
	@$(MAKE) -s -C libilwaco OUTPUT=$(TOP)/build/libilwaco
	@$(MAKE) -s -C guests OUTPUT=$(TOP)/build/guests
	@$(MAKE) -s -C selftests/guests OUTPUT=$(TOP)/build/kselftest/denali/guests
	@echo "  guests     build/guests/, build/kselftest/denali/guests/"

# The in-VM tests load their guests from beside them.
selftests: deps guests
	@$(MAKE) -s -C selftests INSTALL=$(TOP)/build/kselftest
	@echo "  selftests  build/kselftest/"

check: all
	@tools/check

# Benchmarks beside native Linux, in every lane; results in bench/results/.
bench: all
	@bench/run

demo: all
	@tools/testvm/run --lane $(LANE) -- tools/demo

vm-shell: all
	@tools/testvm/run --interactive --timeout 86400 --lane $(LANE) -- /bin/bash -l

clean:
	rm -rf build

distclean: clean
	rm -rf cache

.PHONY: all deps module userspace guests selftests check bench demo vm-shell clean distclean
