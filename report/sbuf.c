/* String buffer, escaping and report-folder files (report/sbuf.h). */
#include "report/sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsutil.h"

/* ---- growable string buffer ---------------------------------------------- */

static void sb_reserve(mfh_sbuf *b, size_t extra) {
  if (b->oom || b->n + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 1024;
  while (cap < b->n + extra + 1) cap *= 2;
  char *ns = realloc(b->s, cap);
  if (!ns) {
    b->oom = 1;
    return;
  }
  b->s = ns;
  b->cap = cap;
}

void mfh_sb_putn(mfh_sbuf *b, const char *s, size_t n) {
  sb_reserve(b, n);
  if (b->oom) return;
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

void mfh_sb_puts(mfh_sbuf *b, const char *s) { mfh_sb_putn(b, s, strlen(s)); }
void mfh_sb_putc(mfh_sbuf *b, char c) { mfh_sb_putn(b, &c, 1); }

void mfh_sb_printf(mfh_sbuf *b, const char *fmt, ...) {
  va_list ap, ap2;
  va_start(ap, fmt);
  va_copy(ap2, ap);
  int k = vsnprintf(NULL, 0, fmt, ap2);
  va_end(ap2);
  if (k < 0) {
    b->oom = 1;
  } else {
    sb_reserve(b, (size_t)k);
    if (!b->oom) {
      vsnprintf(b->s + b->n, (size_t)k + 1, fmt, ap);
      b->n += (size_t)k;
    }
  }
  va_end(ap);
}

const char *mfh_sb_str(const mfh_sbuf *b) { return b->s ? b->s : ""; }
void mfh_sb_free(mfh_sbuf *b) {
  free(b->s);
  memset(b, 0, sizeof *b);
}

/* Write the buffer to dir/name atomically and release it. */
int mfh_sb_save(mfh_sbuf *b, const char *dir, const char *name, mfh_err *err) {
  int rc;
  char *path = mfh_path_join(dir, name);
  if (b->oom || !path)
    rc = mfh_err_set(err, MFH_ENOMEM, "out of memory writing %s/%s", dir, name);
  else
    rc = mfh_write_atomic(path, mfh_sb_str(b), b->n, err);
  free(path);
  mfh_sb_free(b);
  return rc;
}

/* ---- text escaping --------------------------------------------------------- */

/* Length (1..4) of the valid UTF-8 sequence at s, 0 if it is not valid. */
static size_t utf8_seq(const unsigned char *s) {
  unsigned c = s[0];
  if (c < 0x80) return 1;
  size_t n;
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF)
    n = 3;
  else if (c >= 0xF0 && c <= 0xF4)
    n = 4;
  else
    return 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xC0) != 0x80) return 0;
  if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) || (c == 0xF0 && s[1] < 0x90) ||
      (c == 0xF4 && s[1] >= 0x90))
    return 0; /* overlong, surrogate or beyond U+10FFFF */
  return n;
}

/* ASCII stand-in for a multi-byte UTF-8 character (the terminal table). */
static const char *ascii_for(const unsigned char *p, size_t k) {
  static const struct {
    const char *utf8, *ascii;
  } tab[] = {{"\xc2\xb1", "+/-"},    {"\xc3\x97", "x"},       {"\xc2\xb7", "*"},
             {"\xe2\x80\x93", "-"},  {"\xe2\x80\x94", "-"},   {"\xe2\x88\x92", "-"},
             {"\xe2\x89\xa4", "<="}, {"\xe2\x89\xa5", ">="},  {"\xc2\xb2", "^2"},
             {"\xc2\xb3", "^3"},     {"\xc2\xb5", "mu"},      {"\xce\xbc", "mu"},
             {"\xce\xb5", "eps"},    {"\xe2\x88\x9e", "inf"}, {"\xe2\x89\x88", "~"}};
  for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
    if (strlen(tab[i].utf8) == k && memcmp(tab[i].utf8, p, k) == 0) return tab[i].ascii;
  return "?";
}

/* Append s escaped for mode.  Invalid UTF-8 bytes become '?'; control
 * characters become spaces (except in MFH_ESC_UTF8). */
void mfh_sb_esc(mfh_sbuf *b, const char *s, int mode) {
  const unsigned char *p = (const unsigned char *)(s ? s : "");
  while (*p) {
    size_t k = utf8_seq(p);
    if (k == 0) {
      mfh_sb_putc(b, '?');
      p++;
      continue;
    }
    if (k > 1) {
      if (mode == MFH_ESC_ASCII)
        mfh_sb_puts(b, ascii_for(p, k));
      else
        mfh_sb_putn(b, (const char *)p, k);
      p += k;
      continue;
    }
    char c = (char)*p++;
    if ((unsigned char)c < 0x20 || c == 0x7f) {
      if (mode == MFH_ESC_UTF8)
        mfh_sb_putc(b, c);
      else if (mode == MFH_ESC_ATTR && c == '\n')
        mfh_sb_puts(b, "&#10;");
      else
        mfh_sb_putc(b, ' ');
      continue;
    }
    switch (mode) {
      case MFH_ESC_GP:
        /* One level of backslashes for the double-quoted string, one for
         * the enhanced-text processor. */
        if (c == '\\') {
          mfh_sb_puts(b, "\\\\\\\\");
          continue;
        }
        if (c == '"') {
          mfh_sb_puts(b, "\\\"");
          continue;
        }
        if (strchr("_^{}@&~", c)) {
          mfh_sb_puts(b, "\\\\");
          break;
        }
        break;
      case MFH_ESC_HTML:
      case MFH_ESC_ATTR:
        if (c == '&') {
          mfh_sb_puts(b, "&amp;");
          continue;
        }
        if (c == '<') {
          mfh_sb_puts(b, "&lt;");
          continue;
        }
        if (c == '>') {
          mfh_sb_puts(b, "&gt;");
          continue;
        }
        if (c == '"') {
          mfh_sb_puts(b, "&quot;");
          continue;
        }
        if (c == '\'') {
          mfh_sb_puts(b, "&#39;");
          continue;
        }
        break;
      case MFH_ESC_TEX: {
        static const struct {
          char c;
          const char *tex;
        } tex[] = {{'\\', "\\textbackslash{}"}, {'{', "\\{"},         {'}', "\\}"},
                   {'$', "\\$"},                {'&', "\\&"},         {'#', "\\#"},
                   {'%', "\\%"},                {'_', "\\_"},         {'^', "\\^{}"},
                   {'~', "\\~{}"},              {'<', "\\textless{}"}, {'>', "\\textgreater{}"},
                   {'|', "\\textbar{}"}};
        size_t t = 0;
        while (t < sizeof tex / sizeof tex[0] && tex[t].c != c) t++;
        if (t < sizeof tex / sizeof tex[0]) {
          mfh_sb_puts(b, tex[t].tex);
          continue;
        }
        break;
      }
      case MFH_ESC_MD:
        if (c == '|' || c == '\\') mfh_sb_putc(b, '\\');
        if (c == '<') {
          mfh_sb_puts(b, "&lt;");
          continue;
        }
        break;
      default: break;
    }
    mfh_sb_putc(b, c);
  }
}

/* Percent-encode a path component for an href (unreserved characters kept). */
void mfh_sb_url(mfh_sbuf *b, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned c = *p;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
        strchr("-._~", (int)c))
      mfh_sb_putc(b, (char)c);
    else
      mfh_sb_printf(b, "%%%02X", c);
  }
}

/* Plain ASCII copy of s into dst (n bytes), for the terminal table. */
void mfh_ascii_copy(char *dst, size_t n, const char *s) {
  mfh_sbuf b = {0};
  mfh_sb_esc(&b, s, MFH_ESC_ASCII);
  snprintf(dst, n, "%s", b.oom ? "?" : mfh_sb_str(&b));
  mfh_sb_free(&b);
}

void mfh_sb_upper(mfh_sbuf *b, const char *s) {
  for (; *s; s++) mfh_sb_putc(b, (*s >= 'a' && *s <= 'z') ? (char)(*s - 'a' + 'A') : *s);
}

/* ---- files in a report folder ------------------------------------------------ */

int mfh_report_nonempty(const char *dir, const char *name) {
  char *p = mfh_path_join(dir, name);
  struct stat st;
  int ok = p && stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
  free(p);
  return ok;
}

void mfh_report_remove(const char *dir, const char *name) {
  char *p = mfh_path_join(dir, name);
  if (p) remove(p);
  free(p);
}
