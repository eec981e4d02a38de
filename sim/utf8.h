/* utf8: recognising well-formed UTF-8 (RFC 3629), for the loader, which accepts only UTF-8
 * text in keys and values, and the JSON writer, which never writes anything else
 * (DESIGN.md sections 5 and 6). */
#ifndef QSIM_UTF8_H
#define QSIM_UTF8_H
#include <stddef.h>

/* Length in bytes (1..4) of the well-formed UTF-8 sequence that starts at s (at most n
 * bytes are looked at), or 0 if the bytes there do not form one: a stray continuation
 * byte, a truncated sequence, an overlong form, a surrogate (U+D800..U+DFFF) or a code
 * point above U+10FFFF. A NUL byte is a 1-byte sequence. O(1). */
size_t utf8_seq_len(const char *s, size_t n);
/* Offset of the first byte of s (length n) that is not part of a well-formed sequence, or
 * n if all of s is well-formed UTF-8. O(n). */
size_t utf8_check(const char *s, size_t n);
#endif
