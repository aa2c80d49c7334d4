/* channel_pick.h: which channel of a multichannel file `emovox analyze`
 * judges (--channel). Non-RT (allocates). */
#ifndef TR_CHANNEL_PICK_H
#define TR_CHANNEL_PICK_H

#include "audio.h"

#include <stddef.h>

/* --channel values; 0, 1, ...: that channel (given 1-based on the command
 * line). */
enum {
  TR_PICK_AUTO = -1,     /* default: 5.1 / 7.1 the centre, else the channel
                             with the most speech (the louder on a tie) */
  TR_PICK_MIX = -2,      /* channels averaged (antiphase cancels) */
  TR_PICK_LOUDEST = -3,  /* the channel with the most energy */
  TR_PICK_BAD = -100
};

/* "N" (1-based), "mix", "loudest", "auto" -> the values above. */
int tr_pick_parse(const char *s);

/* The mono signal (a->n samples, malloc'd) of a (read with
 * tr_audio_read_interleaved) that `pick` asks for; *chosen gets the
 * channel (0-based) or -1 for the mix. NULL with a message in err when the
 * channel does not exist or memory runs out. */
float *tr_pick_channel(const tr_audio *a, int pick, int *chosen, char *err, size_t errlen);

#endif
