/* FFTW plans under the one planner lock.
 *
 * FFTW's planner is not thread-safe: making or destroying a plan while
 * another thread does the same corrupts its tables (executing a plan is
 * safe).  mfh runs tasks in OpenMP threads, so every planner call goes
 * through the named critical section mfh_fftw_planner: plan creation is
 * written inline under `#pragma omp critical(mfh_fftw_planner)` (its calls
 * differ), destruction through mfh_fftw_destroy. */
#ifndef MFH_CORE_FFTW_H
#define MFH_CORE_FFTW_H

#include <stddef.h>

#include <fftw3.h>

/* Destroy the n plans (NULL entries skipped) in one pass through the lock,
 * and set them to NULL. */
void mfh_fftw_destroy(fftw_plan *plans, size_t n);

/* mfh_fftw_destroy_plans(a, b, ...): destroy plan values (NULL allowed). */
#define mfh_fftw_destroy_plans(...)                             \
  mfh_fftw_destroy((fftw_plan[]){__VA_ARGS__},                  \
                   sizeof((fftw_plan[]){__VA_ARGS__}) / sizeof(fftw_plan))

#endif
