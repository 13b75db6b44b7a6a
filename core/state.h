/* States: what engines produce and observables read.
 *
 * A state is a small set of named, typed items (a particle cloud named
 * "particles", a phase-space density "f", a density matrix "rdm1", ...) and
 * the named scalars the engine computed about itself (energy drift, mass
 * error).  Each item has a *kind*: a const table (after FFTW's problem kinds
 * and SUNDIALS' N_Vector ops) that says how to free it, hash its content bit
 * for bit, and describe it in one line.  The kinds are listed once in
 * core/kinds.c; adding one is a new file core/kind_<name>.c and one line.
 *
 * Engines declare, as a function of their parameters, which items (name and
 * kind) and which scalars they produce (mfh_decl); observables declare the
 * kinds they need.  The study loader joins the two before anything runs. */
#ifndef MFH_CORE_STATE_H
#define MFH_CORE_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "core/values.h"

typedef struct mfh_kind {
  const char *name; /* "cloud", "phase_grid", "density", ... */
  const char *doc;  /* one line: what the data are */
  const char *type; /* the C type the item's data point to, for `mfh list kinds` */
  /* Free the data and everything it owns; accepts NULL. */
  void (*free)(void *data);
  /* A deep copy (*out owned by the caller); 0 or MFH_ENOMEM. */
  int (*copy)(const void *data, void **out, mfh_err *err);
  /* A 64-bit hash of the content, bit for bit (conformance tests compare two
   * runs with it).  0 or MFH_EINPUT for malformed data. */
  int (*hash)(const void *data, uint64_t *out, mfh_err *err);
  /* One line, e.g. "cloud of 1024 points in R^2 (phase space of d = 1, torus 6.28)". */
  void (*describe)(const void *data, char *buf, size_t len);
} mfh_kind;

/* The registry of kinds (core/kinds.c), NULL-terminated, and lookup. */
extern const mfh_kind *const mfh_kinds[];
const mfh_kind *mfh_kind_find(const char *name);

#define MFH_STATE_MAX 8
#define MFH_ITEM_NAME 32

typedef struct mfh_item {
  char name[MFH_ITEM_NAME];
  const mfh_kind *kind;
  void *data; /* owned by the state; freed by kind->free */
} mfh_item;

typedef struct mfh_state {
  size_t n;
  mfh_item item[MFH_STATE_MAX];
  mfh_values scalars; /* the "scalars" kind: the engine's own named numbers */
} mfh_state;

/* Add an item; the state takes ownership of data (also on failure, when
 * it is freed).  MFH_EINPUT for a duplicate name or a full state. */
int mfh_state_put(mfh_state *s, const char *name, const mfh_kind *kind, void *data, mfh_err *err);
/* The data of the item of that kind, and that name unless name is NULL
 * (then the first item of the kind); NULL when there is none. */
const void *mfh_state_get(const mfh_state *s, const mfh_kind *kind, const char *name);
/* Remove an item and return its data, now owned by the caller (NULL if absent). */
void *mfh_state_take(mfh_state *s, const mfh_kind *kind, const char *name);
/* Deep-copy every item and the scalars of src into dst (dst starts empty). */
int mfh_state_copy(const mfh_state *src, mfh_state *dst, mfh_err *err);
/* Free every item and the scalars; accepts a zeroed struct (and leaves one). */
void mfh_state_clear(mfh_state *s);
/* Hash of all items and scalars in order (conformance). */
int mfh_state_hash(const mfh_state *s, uint64_t *out, mfh_err *err);

/* What an engine produces for given parameters: items and scalar names. */
#define MFH_DECL_SCALARS 64
typedef struct mfh_decl {
  size_t nitems;
  struct {
    char name[MFH_ITEM_NAME];
    const mfh_kind *kind;
  } item[MFH_STATE_MAX];
  size_t nscalars;
  char scalar[MFH_DECL_SCALARS][MFH_NAME_MAX];
} mfh_decl;

/* Declare an item (MFH_EINTERNAL when full or a duplicate). */
int mfh_decl_item(mfh_decl *d, const char *name, const mfh_kind *kind);
/* Declare the space-separated scalar names in list. */
int mfh_decl_scalars(mfh_decl *d, const char *list);
/* 1 if declared. */
int mfh_decl_has_scalar(const mfh_decl *d, const char *name);
/* Index of the first item of kind (and name unless NULL), or -1. */
int mfh_decl_find(const mfh_decl *d, const mfh_kind *kind, const char *name);
/* Check a produced state against its declaration: every declared item and
 * scalar present with the declared kind, nothing undeclared.  MFH_EINTERNAL
 * naming the first difference (an engine's contract, tested by the
 * conformance suite and checked on every task). */
int mfh_decl_check(const mfh_decl *d, const mfh_state *s, mfh_err *err);

#endif
