/* Text for the report writers: a growable string buffer, escaping for each
 * output language (JSON, gnuplot strings, HTML/XML, Markdown, the terminal),
 * and the files of a report folder (saved atomically through core/fsutil.h).
 *
 * A buffer starts zeroed (`mfh_sbuf b = {0};`).  Appending never fails:
 * an allocation failure sets b->oom, later appends do nothing, and
 * mfh_sb_save reports MFH_ENOMEM. */
#ifndef MFH_REPORT_SBUF_H
#define MFH_REPORT_SBUF_H

#include <stddef.h>

#include "core/status.h"

typedef struct mfh_sbuf {
  char *s;
  size_t n, cap;
  int oom;
} mfh_sbuf;

void mfh_sb_putn(mfh_sbuf *b, const char *s, size_t n);
void mfh_sb_puts(mfh_sbuf *b, const char *s);
void mfh_sb_putc(mfh_sbuf *b, char c);
void mfh_sb_printf(mfh_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The text so far ("" for an empty buffer); valid until the next append. */
const char *mfh_sb_str(const mfh_sbuf *b);
/* Release the text; the buffer is zeroed and can be used again. */
void mfh_sb_free(mfh_sbuf *b);
/* Write the buffer to dir/name atomically and release it (also on error).
 * 0, MFH_ENOMEM (the buffer ran out of memory) or MFH_EIO. */
int mfh_sb_save(mfh_sbuf *b, const char *dir, const char *name, mfh_err *err);

/* How mfh_sb_esc escapes. */
enum mfh_esc {
  MFH_ESC_UTF8, /* only repair invalid UTF-8 (for JSON) */
  MFH_ESC_LINE, /* one line of plain text (comments in data files) */
  MFH_ESC_GP,   /* inside a double-quoted gnuplot string in enhanced text mode */
  MFH_ESC_HTML, /* HTML/XML text */
  MFH_ESC_ATTR, /* HTML/XML attribute value (double-quoted) */
  MFH_ESC_MD,   /* markdown table cell */
  MFH_ESC_TEX,  /* LaTeX text mode (UTF-8 passed through) */
  MFH_ESC_ASCII /* plain ASCII for the terminal */
};

/* Append s (NULL = "") escaped for mode (enum mfh_esc).  Invalid UTF-8
 * bytes become '?'; control characters become spaces (except in
 * MFH_ESC_UTF8). */
void mfh_sb_esc(mfh_sbuf *b, const char *s, int mode);
/* Percent-encode a path component for an href (unreserved characters kept). */
void mfh_sb_url(mfh_sbuf *b, const char *s);
/* Append s with a-z in upper case ("pass" -> "PASS"). */
void mfh_sb_upper(mfh_sbuf *b, const char *s);
/* Plain ASCII copy of s into dst (n bytes), for the terminal. */
void mfh_ascii_copy(char *dst, size_t n, const char *s);

/* 1 if dir/name is a regular file with at least one byte. */
int mfh_report_nonempty(const char *dir, const char *name);
/* Remove dir/name if it is there. */
void mfh_report_remove(const char *dir, const char *name);

#endif
