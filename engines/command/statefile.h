/* State files: the typed states a user's program hands to mfh (and the
 * initial cloud mfh hands to the program), read against what the study
 * declares.
 *
 * A program writes one file per output time; mfh reads it as a state item
 * of the declared kind and refuses, naming the file and what is wrong, a
 * file that is missing, larger than the declared state can be, malformed
 * (core/npy.h, core/csv.h: truncated, not NumPy, ragged rows), of the wrong
 * shape or type, or holding a value that is not finite.
 *
 *   cloud         .npy (N, C) float, or .csv with N rows of C numbers (an
 *                 optional header line): C = d positions, then d velocities
 *                 (velocities: yes), then a weight (weights: yes; they must
 *                 be >= 0 and sum to 1 within 1e-6, and are renormalised).
 *                 On a torus (period > 0) positions are wrapped into
 *                 [0, period).
 *   phase_grid    .npy (nx, nv) float: f(x_i, v_j) at x_i = xmin + i dx,
 *                 dx = (xmax - xmin) / nx (the cells of [xmin, xmax)) and
 *                 v_j = vmin + j dv, dv = (vmax - vmin) / (nv - 1) (both ends
 *                 are nodes: the Vlasov engine's convention).
 *   field         .npy (nx,) float: u(x_i), x_i as above.
 *   wavefunction  .npy (nx,) complex (or float: imaginary part 0): psi(x_i),
 *                 a pure state (a density of one orbital, weight 1).
 *   kernel        .npy (nx, nx) complex (or float): a density-matrix kernel
 *                 R(x_i, x_j).
 * Grids carry their box from the declaration; densities also eps. */
#ifndef MFH_ENGINES_COMMAND_STATEFILE_H
#define MFH_ENGINES_COMMAND_STATEFILE_H

#include <stddef.h>

#include "core/cloud.h"
#include "core/state.h"
#include "core/status.h"

/* The kinds of state a program may write (the `state` parameter of the
 * engine command; NONE: numbers on standard output only). */
#define MFH_COMMAND_STATES "none|cloud|phase_grid|field|wavefunction|kernel"
enum mfh_command_state {
  MFH_COMMAND_NONE = 0,
  MFH_COMMAND_CLOUD,
  MFH_COMMAND_PHASE_GRID,
  MFH_COMMAND_FIELD,
  MFH_COMMAND_WAVEFUNCTION,
  MFH_COMMAND_KERNEL
};

/* What a state file must hold. */
typedef struct mfh_command_decl {
  int state;                     /* enum mfh_command_state */
  size_t n, d;                   /* cloud: particles (rows), space dimension */
  int velocities, weights;       /* cloud: columns of velocities / a weight */
  double period;                 /* cloud: torus period of positions (0: R^d);
                                    grids: the x period (0: x not periodic) */
  size_t nx, nv;                 /* grids: nodes in x (and v) */
  double xmin, xmax, vmin, vmax; /* grids: the box */
  double eps;                    /* densities: semiclassical scale (0: none) */
} mfh_command_decl;

/* Columns of a cloud file: d (1 + velocities) + weights. */
size_t mfh_command_cloud_columns(const mfh_command_decl *d);

/* Read the state file path, named `name` in messages (the name the program
 * was told to write), into one item `item` of s.  The format is the file's
 * extension (.npy or .csv; .csv only for clouds).  0; MFH_EEXTERNAL for a
 * missing or bad file (message "NAME: what is wrong"), MFH_ENOMEM. */
int mfh_command_read_state(const char *path, const char *name, const mfh_command_decl *d, const char *item,
                           mfh_state *s, mfh_err *err);

/* Write a cloud for a program to read: .npy (N, dim) float64, or .csv with
 * a header line (x1..xd, v1..vd for a phase-space cloud of d > 0, else
 * x1..xdim; a last column w when weighted) and rows of %.17g numbers (read
 * back exactly).  Atomic.  0, MFH_EINPUT (extension), MFH_EIO, MFH_ENOMEM. */
int mfh_command_write_cloud(const char *path, const mfh_cloud *c, mfh_err *err);

/* 1 if name ends in ext (".npy", ".csv"). */
int mfh_command_has_ext(const char *name, const char *ext);

#endif
