/* Numeric CSV tables (for `mfh fit` and `mfh metric`).
 * Format: comma-separated numbers, one row per line; an optional first line
 * of column names (detected when any of its fields is not a number); blank
 * lines and lines starting with '#' are skipped; surrounding spaces are
 * allowed.  Every row must have the same number of fields.  Errors name
 * file:line:col and are MFH_EINPUT. */
#ifndef MFH_CORE_CSV_H
#define MFH_CORE_CSV_H

#include <stddef.h>

#include "core/status.h"

typedef struct mfh_csv {
  char *path;      /* owned copy of the file name */
  size_t nrows, ncols;
  char **names;    /* ncols column names, or NULL when there was no header */
  double *data;    /* nrows*ncols, row-major */
  int *line;       /* nrows: the 1-based line number each row came from */
} mfh_csv;

/* Read a CSV file.  On error *out is left empty (nothing to free). */
int mfh_csv_read(const char *path, mfh_csv *out, mfh_err *err);
void mfh_csv_free(mfh_csv *csv);
/* Resolve a column given by name (when the file has a header) or by its
 * 1-based number ("3"); *col gets the 0-based index.  An unknown column is
 * MFH_EINPUT naming the file and listing the columns that exist. */
int mfh_csv_column(const mfh_csv *csv, const char *spec, size_t *col, mfh_err *err);

#endif
