#!/usr/bin/env python3
"""Peer for bench/features.c: librosa 0.9.2 computing the 98 features v1
(the golden definition, make_golden.py's calls) on a WAV at any rate: a
rate other than 16 kHz is first brought to 16 kHz with librosa.resample
(its default, res_type='kaiser_best'), inside the timed work, as emovox
resamples inside its own.

usage: PYTHONPATH=<librosa-0.9.2> /usr/bin/python3 features_librosa.py IN.wav
Prints one line: 'librosa_audio_s_per_cpu_s <value>'. Run it with
OPENBLAS_NUM_THREADS=1 to measure one thread.
"""
import sys
import time

import numpy as np
import soundfile as sf
import librosa

SR, N_FFT, HOP = 16000, 400, 160


def features(y):
    S = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP, win_length=N_FFT,
                            window="hann", center=False)) ** 2
    mel = librosa.feature.melspectrogram(S=S, sr=SR, n_mels=64, fmin=0.0,
                                         fmax=SR / 2, htk=False, norm="slaney")
    logmel = librosa.power_to_db(mel, ref=1.0, amin=1e-10, top_db=None)
    mfcc = librosa.feature.mfcc(S=logmel, n_mfcc=20, dct_type=2, norm="ortho")
    chroma = librosa.feature.chroma_stft(S=S, sr=SR, n_fft=N_FFT, tuning=0.0,
                                         n_chroma=12, norm=np.inf)
    zcr = librosa.feature.zero_crossing_rate(y, frame_length=N_FFT,
                                             hop_length=HOP, center=False)
    rms = librosa.feature.rms(y=y, frame_length=N_FFT, hop_length=HOP,
                              center=False)
    n = S.shape[1]
    return np.vstack([zcr[:, :n], chroma, mfcc, rms[:, :n], mel]).T


def at_16k(y, sr):
    return y if sr == SR else librosa.resample(y, orig_sr=sr, target_sr=SR)


def main():
    y, sr = sf.read(sys.argv[1], dtype="float32")
    features(at_16k(y[:sr], sr))  # warm-up: imports, caches, numba
    reps, t0 = 0, time.process_time()
    while True:
        features(at_16k(y, sr))
        reps += 1
        spent = time.process_time() - t0
        if spent > 2.0 or reps >= 20:
            break
    print("librosa_audio_s_per_cpu_s %.6g" % (reps * len(y) / sr / spent))


if __name__ == "__main__":
    main()
