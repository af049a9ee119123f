/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Formatted output to the VM's console.
 *
 * A guest's only output device today is the console hypercall, and the
 * host reads it as one byte stream, so what matters is that one printf()
 * reaches the host as one piece: each call formats into a buffer and
 * hands it over in a single console_write (several only when the text is
 * longer than DENALI_CONSOLE_WRITE_MAX).  Lines from one printf() are
 * therefore never interleaved with anything else, and a guest printing a
 * line pays one exit for it, not one per character.
 *
 * The formatter understands the conversions guests need: %d %i %u %x %X
 * %c %s %p %%, the length modifiers hh h l ll z, a width (digits or *),
 * a precision (digits or *; minimum digits for numbers, maximum bytes
 * for %s) and the flags '-' (left-justify) and '0' (pad with zeros).
 * %p prints 0x and lower-case hex (0x0 for NULL), %s of NULL prints
 * "(null)".  There is no floating point.  An unknown conversion is copied to the
 * output as written, so that a mistake shows instead of vanishing.
 */
#ifndef _ILWACO_CONSOLE_H
#define _ILWACO_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

#include "ilwaco/compiler.h"

/*
 * vsnprintf() - format into a buffer
 * @buf:  where to store the text; may be NULL when @size is 0.
 * @size: bytes available at @buf, including the terminating NUL.
 * @fmt:  the format, as described at the top of this file.
 * @ap:   the values.
 *
 * Stores at most @size - 1 bytes and always NUL-terminates when @size is
 * not 0.  Returns the length the whole text has, which is @size or more
 * when it was cut short (the C library's contract).
 */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* snprintf() - vsnprintf() with the values as arguments. */
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * printf() - format to the console
 *
 * The text goes out in one console_write, or in pieces of
 * DENALI_CONSOLE_WRITE_MAX bytes when longer.  Returns the number of
 * bytes written, or the negative errno of the hypercall that failed (the
 * text before it may have been written).
 */
int printf(const char *fmt, ...) __printf(1, 2);

/*
 * puts() - write @s and a newline to the console, in one console_write
 *
 * Returns a non-negative number on success, else the negative errno of
 * the failed hypercall.
 */
int puts(const char *s);

#endif /* _ILWACO_CONSOLE_H */
