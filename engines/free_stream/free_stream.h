/* Free streaming of a particle cloud: the mean-field characteristics when
 * the mean field vanishes (MF-1's exact reference for spatially homogeneous
 * data on the torus). */
#ifndef MFH_ENGINES_FREE_STREAM_FREE_STREAM_H
#define MFH_ENGINES_FREE_STREAM_FREE_STREAM_H

#include "core/engine.h"

extern const mfh_engine_type mfh_engine_free_stream;

#endif
