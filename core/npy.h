/* NumPy .npy files: n-dimensional arrays of real or complex numbers, read
 * and written without NumPy.
 *
 * The format is numpy.lib.format (NEP 1): the magic "\x93NUMPY", a version
 * (1.0: 2-byte header length; 2.0: 4-byte; 3.0: 4-byte and a UTF-8 header),
 * a Python dict literal {'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }
 * padded with spaces to a multiple of 64 bytes and ended by '\n', then the
 * raw data.  Read: float ('f4', 'f8'), complex ('c8', 'c16') and integer
 * ('i1'..'i8', 'u1'..'u8') types of either byte order, C or Fortran order,
 * any shape (0-d included); the values become doubles (integers beyond 2^53
 * are rounded) in C (row-major) order.  Write: '<f8' or '<c16', C order,
 * version 1.0, byte for byte what numpy.save writes for the same array
 * (NumPy >= 1.24: room for the first dimension to grow, then spaces to a
 * multiple of 64 bytes).
 *
 * Every malformed file is MFH_EINPUT with a message that starts with the
 * file's name and says what is wrong: bad magic, unsupported version,
 * header that is cut short or not a dict, missing / repeated / unknown key,
 * unsupported dtype (structured, object, strings, half or long double),
 * bad shape, shape whose element count overflows, data cut short, bytes
 * after the data.  Finiteness is the caller's business (a NaN reads fine). */
#ifndef MFH_CORE_NPY_H
#define MFH_CORE_NPY_H

#include <stddef.h>

#include "core/status.h"

#define MFH_NPY_MAXDIM 32 /* NumPy's own limit (NPY_MAXDIMS before NumPy 2) */

typedef struct mfh_npy {
  int is_complex;               /* data holds (re, im) pairs */
  int fortran_order;            /* as the file stored it (data is C order regardless) */
  int version;                  /* the file's major version: 1, 2 or 3 */
  char descr[16];               /* the dtype as written, e.g. "<f8", "|u1" */
  size_t ndim;
  size_t shape[MFH_NPY_MAXDIM];
  size_t count;                 /* elements: the product of shape (1 for a 0-d array) */
  double *data;                 /* count doubles, or 2 count (re, im) interleaved; C order; owned */
} mfh_npy;

/* Read path into *out (zeroed first; free with mfh_npy_free, also after an
 * error).  0; MFH_EINPUT for a malformed file (message "path: what is
 * wrong"), MFH_EIO when it cannot be read, MFH_ENOMEM. */
int mfh_npy_read(const char *path, mfh_npy *out, mfh_err *err);
/* The same from len bytes in memory; name is used in messages only. */
int mfh_npy_parse(const char *name, const void *buf, size_t len, mfh_npy *out, mfh_err *err);
/* Release what a read owns; accepts a zeroed struct. */
void mfh_npy_free(mfh_npy *a);

/* Write an array as '<f8' (is_complex 0: count doubles) or '<c16'
 * (is_complex 1: 2 count doubles, (re, im) interleaved), C order, with the
 * given shape (ndim <= MFH_NPY_MAXDIM; ndim 0 is a scalar).  Atomic
 * (core/fsutil.h).  0; MFH_EINPUT for a bad shape, MFH_EIO, MFH_ENOMEM. */
int mfh_npy_write(const char *path, int is_complex, size_t ndim, const size_t *shape, const double *data,
                  mfh_err *err);
/* The bytes mfh_npy_write writes, in a malloc'd buffer (*buf, *len). */
int mfh_npy_encode(int is_complex, size_t ndim, const size_t *shape, const double *data, unsigned char **buf,
                   size_t *len, mfh_err *err);

#endif
