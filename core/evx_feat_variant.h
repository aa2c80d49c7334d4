/* evx_feat_variant.h: deliberately wrong feature definitions, for tests
 * only: they show that the parity comparison with librosa can fail.
 * EVX_FX_V1 (0) is the real definition; evx_fx_init() uses it. */
#ifndef EVX_FEAT_VARIANT_H
#define EVX_FEAT_VARIANT_H

#include "evx_features.h"

enum {
  EVX_FX_V1             = 0,
  EVX_FX_SYMMETRIC_HANN = 1u << 0,  /* scipy fftbins=False instead of True */
  EVX_FX_HTK_MEL        = 1u << 1,  /* HTK mel scale instead of Slaney */
  EVX_FX_CHROMA_BASE_A  = 1u << 2   /* chroma starting at A, not C */
};

/* evx_fx_init with a variant (an OR of the flags above). Not RT-safe. */
evx_fx *evx_fx_init_variant(void *mem, size_t size, double host_rate,
                            uint32_t max_block, unsigned variant);

#endif
