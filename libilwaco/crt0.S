/* SPDX-License-Identifier: GPL-2.0 */
/*
 * _start: where every Denali guest begins (the image's e_entry).
 *
 * The entry state (include/uapi/denali_guest.h) is nearly what a C function
 * expects already: RSP is the top of guest memory, 16-byte aligned, and
 * RDI holds the memory size, which is exactly the first argument of
 * ilwaco_start(unsigned long mem_size).  All that is left is to mark the
 * outermost frame and call into C; ilwaco_start() runs main() and exits
 * the VM, so nothing here runs after it.
 */

	.text
	.globl	_start
	.type	_start, @function
_start:
	/*
	 * RBP: zero marks the end of the frame-pointer chain, so debuggers
	 * and crash dumps walking saved RBPs stop here.  The entry state
	 * already makes it zero; this keeps that true by construction.
	 */
	xorl	%ebp, %ebp

	/*
	 * RSP: the ABI promises 16-byte alignment; rounding down keeps the
	 * SysV rule (RSP + 8 aligned at a function's first instruction)
	 * even if an entry state ever breaks that promise, for the price of
	 * one instruction.  The call below pushes the 8 bytes that make
	 * ilwaco_start's frame correctly aligned.
	 */
	andq	$-16, %rsp

	/* RDI: guest memory size, passed through unchanged. */
	call	ilwaco_start

	/* ilwaco_start never returns; if it did, crash (#UD) visibly. */
	ud2
	.size	_start, . - _start

	/*
	 * guest.lds gives every image exactly three PT_LOAD segments, and
	 * ld emits a segment even when nothing lands in it, as a zero-sized
	 * header at address 0 that the loader would rightly refuse.  A guest
	 * with no constant data of its own (spin, say) would get one, so
	 * every image carries this string in .rodata.  It also lets
	 * `strings` tell a libilwaco image from other ELF files.
	 */
	.section .rodata
	.globl	ilwaco_ident
	.type	ilwaco_ident, @object
ilwaco_ident:
	.asciz	"libilwaco guest image"
	.size	ilwaco_ident, . - ilwaco_ident

	/* The guest never executes from its stack: say so to the linker. */
	.section .note.GNU-stack, "", @progbits
