/* emovox_ext.h: URIs shared by the plugin, its TTL and its tests, and a
 * small private extension (extension_data) that lets tests and benchmarks
 * read the engine's work counters. Hosts do not need it. */
#ifndef EVX_EMOVOX_EXT_H
#define EVX_EMOVOX_EXT_H

#include "evx_engine.h"

#include <lv2/core/lv2.h>
#include <stddef.h>
#include <stdint.h>

#define EMOVOX_URI_METER      "urn:emovox:meter"
#define EMOVOX_URI_METER_MIDI "urn:emovox:meter-midi"
#define EMOVOX_URI_RENDER     "urn:emovox:render"
/* The same plugins for stereo tracks: both channels pass through bit-exact
 * and a `channel` control chooses what is judged (both, left, right). */
#define EMOVOX_URI_METER_STEREO      "urn:emovox:meter-stereo"
#define EMOVOX_URI_METER_MIDI_STEREO "urn:emovox:meter-midi-stereo"
#define EMOVOX_URI_RENDER_STEREO     "urn:emovox:render-stereo"
/* The model bundle: an atom:Path patch parameter, saved with the state. */
#define EMOVOX_URI_MODEL      "urn:emovox:model"
/* A new speaker: any patch:Set of this parameter (an atom:Bool) sends the
 * current voice's statistics back to the population's
 * (evx_engine_new_voice), from the event's frame on. Not saved with the
 * state: it is an event. */
#define EMOVOX_URI_NEW_VOICE  "urn:emovox:newVoice"
/* Which voice is speaking: a patch:Set to 1..8 (atom:Int; Long, Float and
 * Double are read too) switches the speaker statistics to that voice's slot
 * from the event's frame on (evx_engine_set_voice): each voice of a
 * dialogue keeps what was learnt of it. Not saved with the state. */
#define EMOVOX_URI_VOICE      "urn:emovox:voice"
/* Which model runs, for hosts to show (patch:readable; a patch:Get on the
 * control port, or any change, sends a patch:Set on the notify port): an
 * atom:String, "default", "loaded: PATH", or "not loaded: PATH" when the
 * restored state asked for a model that is missing or damaged (the path is
 * still saved with the state). */
#define EMOVOX_URI_MODEL_STATUS "urn:emovox:modelStatus"
/* extension_data(EMOVOX_URI_STATS) returns a const EmovoxStatsInterface *. */
#define EMOVOX_URI_STATS      "urn:emovox:stats"

/* MIDI controllers sent by urn:emovox:meter-midi on the channel of its
 * midi_channel control (1..16, default 1): emotion i (canonical order) on
 * CC first_cc + i as round(p * 127), the dominant emotion on CC first_cc + 8
 * as emovox_cc_dominant(d). first_cc is 0..EMOVOX_CC_FIRST_MAX (default
 * EMOVOX_CC_FIRST, so the dominant is on EMOVOX_CC_DOMINANT). */
#define EMOVOX_CC_FIRST     20
#define EMOVOX_CC_DOMINANT  28
#define EMOVOX_CC_FIRST_MAX 119

/* The dominant emotion over the whole CC range: 0 for none (no decision),
 * round((d + 1) * 127 / 8) for emotion d: 16, 32, 48, 64, 79, 95, 111, 127. */
static inline int emovox_cc_dominant(unsigned d)
{
  return d < 8u ? (int)(((d + 1u) * 127u + 4u) / 8u) : 0;
}

typedef struct {
  /* The engine's counters since instantiate or the last reset. */
  void (*get)(LV2_Handle h, evx_engine_stats *out);
  void (*reset)(LV2_Handle h);
  /* FLOPs of one inference of the active model (0 without a model). */
  uint64_t (*model_flops)(LV2_Handle h);
  /* Bytes the instance holds: engine block, model and net arena. */
  size_t (*memory)(LV2_Handle h);
  /* Models swapped in through the worker so far. */
  uint32_t (*swaps)(LV2_Handle h);
} EmovoxStatsInterface;

#endif
