/* engine_fixture.h: what the streaming-engine tests share: seed models with
 * or without speaker adaptation, a synthetic voice pushed in blocks, and the
 * published sequence it leaves (a listener). */
#ifndef ENGINE_FIXTURE_H
#define ENGINE_FIXTURE_H

#include "test_util.h"
#include "evx_engine.h"
#include "evx_features.h"

#define RATE 48000.0
#define MAXN 400

typedef struct { int n; float p[MAXN][EVX_N_EMOTIONS]; } trace;

/* The seed architecture (seeded weights) on input kind VOICED_STATS or
 * FRAMES; adapt: with population statistics (mean 0 / var 1 per value, resp.
 * -30 / 100 per feature for frame mode). */
evx_model *ef_seed_model(uint32_t input_kind, int adapt, uint64_t seed);
/* evx_engine_model_new, failing the test on error. */
evx_engine_model *ef_engine_model(evx_model *m);

/* An engine at RATE for em whose listener fills t. */
evx_engine *engine(evx_engine_model *em, void **mem, trace *t);
/* From now on the results e publishes go to t. */
void ef_listen(evx_engine *e, trace *t);
/* Frees e, its model and its memory. */
void drop(evx_engine *e, void *mem);

/* 20 s of a voiced, slowly gliding tone around f0 Hz with noise, of peak
 * level amp; blocks of `block` frames (0: random sizes 1..2048). */
void play_voice(evx_engine *e, uint32_t block, trace *t, double f0, double amp);

void assert_same(const trace *x, const trace *y);

#endif
