"""
librosa 0.11 references for fixtures at another rate than 16 kHz: what a librosa user gets from
librosa.load(path, sr=16000) (soundfile float32, to_mono, soxr.resample(..., 'soxr_hq'), fix_length) and
librosa.feature.mfcc with docs/audio.md's parameters. Written to fixtures/audio/expected/librosa/NAME.resampled.json.gz
(mfcc, delta, rms: 6 significant digits; the first 1600 resampled samples: 9). Dev-time only (python-soxr, librosa
0.11.0, soundfile in a venv); tests read the JSON, never this script.

  python3 scripts/make-librosa-resampled-references.py            # from the repository's root
"""
import gzip, json, os, sys
import numpy as np
import librosa, soxr

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'fixtures', 'audio')
NAMES = ['vowel_220hz_48k', 'cards_005_8k']
SR, N_SAMPLES = 16000, 1600


def sig(a, digits):
    return [float(f'{v:.{digits}g}') for v in np.asarray(a, dtype=np.float64).ravel()]


def reference(path):
    y, sr = librosa.load(path, sr=SR)
    kw = dict(n_fft=512, hop_length=160, win_length=400, center=True)
    mfcc = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=13, n_mels=40, fmin=0, fmax=sr / 2, **kw)
    delta = librosa.feature.delta(mfcc, width=9)
    rms = librosa.feature.rms(y=y, frame_length=512, hop_length=160, center=True)[0]
    return {
        'librosa': librosa.__version__, 'soxr': soxr.__version__,
        'call': "librosa.load(path, sr=16000); librosa.feature.mfcc(y, sr, n_mfcc=13, n_fft=512, hop_length=160, win_length=400, n_mels=40, fmin=0, fmax=sr/2)",
        'source_sample_rate_hz': librosa.get_samplerate(path), 'n_samples': int(len(y)), 'n_frames': int(mfcc.shape[1]),
        'samples': sig(y[:N_SAMPLES], 9),
        'mfcc': [sig(f, 6) for f in mfcc.T], 'delta': [sig(f, 6) for f in delta.T], 'rms': sig(rms, 6),
    }


for name in NAMES:
    ref = reference(os.path.join(FIXTURES, 'wav', f'{name}.flac'))
    out = os.path.join(FIXTURES, 'expected', 'librosa', f'{name}.resampled.json.gz')
    with gzip.GzipFile(out, 'wb', mtime=0) as f:
        f.write(json.dumps(ref, separators=(',', ':')).encode())
    print(out, ref['n_samples'], ref['n_frames'], file=sys.stderr)
