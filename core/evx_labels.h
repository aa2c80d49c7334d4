/* evx_labels.h: the eight emotions, in the one order used everywhere
 * (ports, bundle, reports). */
#ifndef EVX_LABELS_H
#define EVX_LABELS_H

enum evx_emotion {
  EVX_ANGRY = 0, EVX_CALM, EVX_DISGUST, EVX_FEAR,
  EVX_HAPPY, EVX_NEUTRAL, EVX_SAD, EVX_SURPRISED,
  EVX_N_EMOTIONS
};

/* "angry", "calm", ... ; NULL outside 0..EVX_N_EMOTIONS-1. */
const char *evx_emotion_name(int e);

/* Index of a canonical emotion name, or -1. */
int evx_emotion_from_name(const char *name);

#endif
