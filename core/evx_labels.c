#include "evx_labels.h"
#include <string.h>

static const char *const names[EVX_N_EMOTIONS] = {
  "angry", "calm", "disgust", "fear", "happy", "neutral", "sad", "surprised"
};

const char *evx_emotion_name(int e)
{
  return (e >= 0 && e < EVX_N_EMOTIONS) ? names[e] : NULL;
}

int evx_emotion_from_name(const char *name)
{
  for (int i = 0; name && i < EVX_N_EMOTIONS; i++)
    if (strcmp(name, names[i]) == 0)
      return i;
  return -1;
}
