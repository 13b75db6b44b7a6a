#include "core/fftw.h"

void mfh_fftw_destroy(fftw_plan *plans, size_t n) {
#pragma omp critical(mfh_fftw_planner)
  {
    for (size_t i = 0; i < n; i++)
      if (plans[i]) {
        fftw_destroy_plan(plans[i]);
        plans[i] = NULL;
      }
  }
}
