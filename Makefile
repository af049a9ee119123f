# SPDX-License-Identifier: GPL-2.0
#
# Denali for Linux: top-level build.
#
#   make              denali.ko for every test kernel, denalictl, guests,
#                     selftests
#   make KDIR=DIR     denali.ko for the kernel built in DIR instead, e.g.
#                     KDIR=/lib/modules/$(uname -r)/build
#   make check        everything, then host tests, checkpatch and the
#                     selftests in every test lane (LANES="6.12 ..." for
#                     some); ends "N passed, N failed"
#   make check-host   host-side unit tests and checkpatch only: no VM
#   make bench        benchmarks beside native Linux (bench/README.md)
#   make demo         boot a test machine, load the module, run denalictl
#   make vm-shell     an interactive shell in a test machine (LANE=name)
#   make deps         install packages, fetch test kernels and kernel tools
#   make install      ilwaco-cc, libilwaco, musl and the guest headers under
#                     PREFIX (/usr/local; DESTDIR stages them)
#   make clean        remove build/ (cache/ with downloads stays)
#
# Building is not provisioning.  `make KDIR=DIR module userspace` needs
# gcc, make and DIR's kernel headers, and never runs apt-get, needs root,
# or downloads anything; `guests` also fetches musl's Debian source
# package once (apt-get source, private apt state, no root).  Without KDIR, `module` fetches the test
# kernels' headers into cache/ (apt-get download, no root); `selftests`
# needs the kselftest harness unpacked from Debian's linux-source.  Only
# `deps` and what needs a test machine (check, demo, bench, vm-shell)
# install packages, as root.
#
# Outputs: build/kernel/<release>/denali.ko, build/userspace/denalictl,
# build/kselftest/ (an installed kselftest tree).  Downloads: cache/.

TOP := $(CURDIR)
LANE ?= $(firstword $(shell tools/testvm/run --list-lanes))
# The kernel meta-packages the lanes boot; each gets its own denali.ko.
KERNEL_METAS := $(shell grep -v '^\#' tools/testvm/lanes | awk 'NF {print $$2}' | sort -u)

all: module userspace guests selftests

# Host packages (as root), test kernels with their headers, the kernel's
# test and style tools.  Each step returns at once when its work is
# already done.
deps:
	@tools/install-deps
	@tools/testvm/fetch-kernels
	@tools/fetch-kernel-tools

# Only the test kernels' headers, for `module` without KDIR: downloaded
# with apt-get download, installed nowhere.
test-kernels:
	@tools/testvm/fetch-kernels

# The kselftest harness and checkpatch, unpacked from linux-source.
kernel-tools:
	@tools/fetch-kernel-tools

# The recipes start with + because Kbuild's make must share our jobserver
# under make -j (build-module fails on any warning, make's own included).
ifdef KDIR
module:
	+@tools/build-module $(KDIR)
else
module: test-kernels
	+@for meta in $(KERNEL_METAS); do \
		tools/build-module "$$(tools/testvm/fetch-kernels --print-kdir $$meta)" || exit 1; \
	done
endif

userspace:
	@$(MAKE) -s -C userspace/denalictl OUTPUT=$(TOP)/build/userspace
	@echo "  denalictl  build/userspace/denalictl"

# libilwaco first, so the two guest builds never race to rebuild it.
# musl (for guests on ilwaco-cc) and lwIP (their network stack) come
# from Debian's source packages: tools/build-musl and tools/build-lwip
# fetch them into build/ once, without root.
guests:
	@tools/build-musl
	@$(MAKE) -s -C libilwaco OUTPUT=$(TOP)/build/libilwaco
	@tools/build-lwip
	@$(MAKE) -s -C guests OUTPUT=$(TOP)/build/guests
	@$(MAKE) -s -C selftests/guests OUTPUT=$(TOP)/build/kselftest/denali/guests
	@echo "  guests     build/guests/, build/kselftest/denali/guests/"

# ilwaco-cc and what it needs, for building guests outside this tree
# (tools/ilwaco-install says where each piece goes).
install: guests
	@PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" tools/ilwaco-install

# The in-VM tests load their guests from beside them.
selftests: kernel-tools guests
	@$(MAKE) -s -C selftests INSTALL=$(TOP)/build/kselftest
	@echo "  selftests  build/kselftest/"

# LANES="6.12 6.1-amd" runs the selftests in those lanes only.
check: deps
	@$(MAKE) -s all
	@tools/check $(if $(LANES),--lanes "$(LANES)")

check-host: kernel-tools selftests
	@tools/check --host-only

# Benchmarks beside native Linux, in every lane; results in bench/results/.
bench: deps
	@$(MAKE) -s all
	@bench/run

demo: deps
	@$(MAKE) -s all
	@tools/testvm/run --lane $(LANE) -- tools/demo

vm-shell: deps
	@$(MAKE) -s all
	@tools/testvm/run --interactive --timeout 86400 --lane $(LANE) -- /bin/bash -l

clean:
	rm -rf build

distclean: clean
	rm -rf cache

.PHONY: all deps test-kernels kernel-tools module userspace guests install selftests \
	check check-host bench demo vm-shell clean distclean
