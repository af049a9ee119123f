// SPDX-License-Identifier: GPL-2.0
/*
 * printf() and friends for guests; see include/ilwaco/console.h.
 *
 * Every function here formats through one engine, format(), into a
 * "sink": a buffer plus what to do when it fills.  For vsnprintf() the
 * sink drops what does not fit (and counts it, for the return value); for
 * printf() it is a DENALI_CONSOLE_WRITE_MAX-byte buffer on the stack that
 * is written to the console when full and once more at the end.  So a
 * printf() of ordinary length costs exactly one hypercall, and no text is
 * ever lost or reordered however long it is.  The buffer lives on the
 * stack rather than in .bss so that printf() stays safe to use from
 * virtual-interrupt handlers once guests have them.
 */
#include "ilwaco/console.h"
#include "ilwaco/errno.h"
#include "ilwaco/hypercall.h"
#include "ilwaco/string.h"

struct sink {
	char *buf;
	size_t len;		/* bytes now in buf */
	size_t size;		/* capacity of buf */
	size_t total;		/* bytes produced so far, stored or not */
	int error;		/* first negative errno from flush, or 0 */
	/* Empties a full buffer; NULL means "drop what does not fit". */
	void (*flush)(struct sink *s);
};

static void put(struct sink *s, char c)
{
	if (s->len == s->size && s->flush)
		s->flush(s);
	if (s->len < s->size)
		s->buf[s->len++] = c;
	s->total++;
}

static void put_repeat(struct sink *s, char c, int n)
{
	while (n-- > 0)
		put(s, c);
}

static void put_mem(struct sink *s, const char *p, size_t n)
{
	while (n--)
		put(s, *p++);
}

/* What one conversion specification asked for. */
struct spec {
	int width;		/* minimum field width, 0 for none */
	int prec;		/* precision, -1 for none */
	int left;		/* '-': pad on the right */
	int zero;		/* '0': pad numbers with zeros */
};

/*
 * Emit @body (@n bytes) in a field of spec->width: @prefix ("-", "0x" or
 * "") goes before any zero padding and after any space padding, as C's
 * printf does.  @zeros is the number of zeros that the precision asks
 * for between the prefix and the digits.
 */
static void put_field(struct sink *s, const struct spec *sp,
		      const char *prefix, int zeros, const char *body, int n)
{
	int plen = (int)strlen(prefix);
	int pad = sp->width - plen - zeros - n;

	if (pad < 0)
		pad = 0;
	if (!sp->left && !sp->zero)
		put_repeat(s, ' ', pad);
	put_mem(s, prefix, plen);
	if (!sp->left && sp->zero)
		put_repeat(s, '0', pad);
	put_repeat(s, '0', zeros);
	put_mem(s, body, n);
	if (sp->left)
		put_repeat(s, ' ', pad);
}

/*
 * Emit the unsigned value @v in base @base (10 or 16, @upper for A-F),
 * after @prefix.  A precision gives the minimum number of digits and, as
 * in C, turns off '0' padding.
 */
static void put_number(struct sink *s, const struct spec *spec,
		       const char *prefix, unsigned long long v,
		       unsigned int base, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];		/* 2^64 has 20 decimal digits */
	struct spec sp = *spec;
	int n = 0, zeros = 0;

	/* C: zero with a precision of zero is no digits at all. */
	while (v || (n == 0 && sp.prec != 0)) {
		tmp[sizeof(tmp) - ++n] = digits[v % base];
		v /= base;
	}
	if (sp.prec >= 0) {
		sp.zero = 0;
		if (sp.prec > n)
			zeros = sp.prec - n;
	}
	put_field(s, &sp, prefix, zeros, tmp + sizeof(tmp) - n, n);
}

/* Length modifiers, as the size of the argument they select. */
enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		/* size_t's signed twin: the same width as long here. */
		return va_arg(*ap, long);
	default:
		return va_arg(*ap, int);
	}
}

/*
 * Widths and precisions beyond this are clamped: they could only come
 * from a broken format, and clamping keeps the arithmetic from
 * overflowing an int.
 */
#define WIDTH_MAX 100000000

/* Read a decimal number at *@p, advancing past it. */
static int read_int(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		if (v < WIDTH_MAX)	/* saturate rather than overflow */
			v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

/*
 * Format @fmt with the values in *@ap into @s.  The va_list is passed by
 * pointer so that helpers can consume values from it (C allows that for
 * a pointer to a va_list, not for a copy).
 */
static void format(struct sink *s, const char *fmt, va_list *ap)
{
	while (*fmt) {
		const char *start = fmt;
		struct spec sp = { .width = 0, .prec = -1 };
		enum length len = LEN_INT;
		unsigned long long u;
		long long v;
		const char *str;
		char c;
		int n;

		if (*fmt != '%') {
			put(s, *fmt++);
			continue;
		}
		fmt++;

		for (;; fmt++) {
			if (*fmt == '-')
				sp.left = 1;
			else if (*fmt == '0')
				sp.zero = 1;
			else
				break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(*ap, int);
			if (sp.width < 0) {
				/* C: a negative width is '-' and its size. */
				sp.left = 1;
				sp.width = sp.width < -WIDTH_MAX ?
					   WIDTH_MAX : -sp.width;
			}
			fmt++;
		} else {
			sp.width = read_int(&fmt);
		}
		if (*fmt == '.') {
			fmt++;
			if (*fmt == '*') {
				sp.prec = va_arg(*ap, int);
				if (sp.prec < 0)	/* C: as if none */
					sp.prec = -1;
				else if (sp.prec > WIDTH_MAX)
					sp.prec = WIDTH_MAX;
				fmt++;
			} else {
				sp.prec = read_int(&fmt);
			}
		}
		if (sp.left)
			sp.zero = 0;

		if (*fmt == 'h') {
			len = LEN_SHORT;
			if (*++fmt == 'h') {
				len = LEN_CHAR;
				fmt++;
			}
		} else if (*fmt == 'l') {
			len = LEN_LONG;
			if (*++fmt == 'l') {
				len = LEN_LLONG;
				fmt++;
			}
		} else if (*fmt == 'z') {
			len = LEN_SIZE;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			v = arg_signed(ap, len);
			/* Negate as unsigned: -LLONG_MIN does not fit. */
			u = v < 0 ? -(unsigned long long)v : (unsigned long long)v;
			put_number(s, &sp, v < 0 ? "-" : "", u, 10, 0);
			break;
		case 'u':
			put_number(s, &sp, "", arg_unsigned(ap, len), 10, 0);
			break;
		case 'x':
		case 'X':
			put_number(s, &sp, "", arg_unsigned(ap, len), 16,
				   *fmt == 'X');
			break;
		case 'p':
			u = (unsigned long)va_arg(*ap, void *);
			put_number(s, &sp, "0x", u, 16, 0);
			break;
		case 'c':
			c = (char)va_arg(*ap, int);
			sp.zero = 0;
			put_field(s, &sp, "", 0, &c, 1);
			break;
		case 's':
			str = va_arg(*ap, const char *);
			if (!str)
				str = "(null)";
			/* Never read past the precision: may be unterminated. */
			for (n = 0; sp.prec < 0 || n < sp.prec; n++)
				if (!str[n])
					break;
			sp.zero = 0;
			put_field(s, &sp, "", 0, str, n);
			break;
		case '%':
			put(s, '%');
			break;
		default:
			/* Unknown (or the format ended): show it as written. */
			put_mem(s, start, fmt - start);
			continue;
		}
		fmt++;
	}
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = {
		.buf = buf,
		.size = size ? size - 1 : 0,	/* room for the NUL */
	};
	va_list aq;

	va_copy(aq, ap);
	format(&s, fmt, &aq);
	va_end(aq);
	if (size)
		buf[s.len] = '\0';
	return s.total;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/*
 * Write the sink's buffer to the console and empty it.  console_write
 * may take fewer bytes than offered (only above DENALI_CONSOLE_WRITE_MAX,
 * which the buffer never exceeds, but the loop costs nothing and keeps
 * this right if the limit ever shrinks).  After an error the rest of the
 * text is dropped and the error kept for the return value.
 */
static void console_flush(struct sink *s)
{
	size_t done = 0;

	while (done < s->len && !s->error) {
		long n = denali_console_write(s->buf + done, s->len - done);

		if (n < 0)
			s->error = n;
		else if (n == 0)	/* would loop forever */
			s->error = -EIO;
		else
			done += n;
	}
	s->len = 0;
}

/* Run format() into a console sink and write out the result. */
static int console_format(const char *fmt, va_list *ap)
{
	char buf[DENALI_CONSOLE_WRITE_MAX];
	struct sink s = {
		.buf = buf,
		.size = sizeof(buf),
		.flush = console_flush,
	};

	format(&s, fmt, ap);
	console_flush(&s);
	return s.error ? s.error : (int)s.total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = console_format(fmt, &ap);
	va_end(ap);
	return n;
}

/*
 * puts() goes through the formatter so that the string and its newline
 * leave in one console_write, like a printf("%s\n").
 */
int puts(const char *s)
{
	return printf("%s\n", s);
}
