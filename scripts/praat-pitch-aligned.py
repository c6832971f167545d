#!/usr/bin/env python3
"""
mmprep's F0 track against Praat's To Pitch (ac) frame by frame, on one grid.

Praat centres its frames in the sound (Sampled_shortTermAnalysis) and puts sample i (1-based) at (i - 0.5) / sr;
mmprep centres frame k on sample k * hop (librosa's center=True). Compared "by time" (docs/audio.md, Measured
fidelity) the two grids are up to half a step apart, and speech's F0 moves in that time. This script pads Praat's
input with zeros (q before, p after) so that every Praat frame centre falls on an mmprep frame centre, then compares
the frames both analyse (not those whose window reaches into the padding).

usage: python3 scripts/praat-pitch-aligned.py FILE [--floor 65] [--ceiling 600] [--hop 160] [--sr 16000]
needs: praat and ffmpeg on PATH, and this clone built (node bin/mmprep.js).
"""
import argparse, json, math, os, subprocess, sys, tempfile

PRAAT = """form x
  sentence in
  sentence out
  real floor
  real ceiling
  real step
endform
s = Read from file: in$
p = To Pitch (ac): step, floor, 15, "no", 0.03, 0.45, 0.01, 0.35, 0.14, ceiling
n = Get number of frames
deleteFile: out$
for i to n
  t = Get time from frame number: i
  f = Get value in frame: i, "Hertz"
  if f = undefined
    f = 0
  endif
  appendFileLine: out$, fixed$(t, 9), " ", fixed$(f, 6)
endfor
"""

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('file')
    ap.add_argument('--floor', type=float, default=65)
    ap.add_argument('--ceiling', type=float, default=600)
    ap.add_argument('--hop', type=int, default=160)
    ap.add_argument('--sr', type=int, default=16000)
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = tempfile.mkdtemp(prefix='praat-pitch-aligned-')
    dec = os.path.join(tmp, 'dec.wav')
    # The samples mmprep analyses: ffmpeg's resampled mono decode, as float.
    subprocess.run(['ffmpeg', '-loglevel', 'error', '-y', '-i', a.file, '-ar', str(a.sr), '-ac', '1', '-c:a', 'pcm_f32le', dec], check=True)
    nx = (os.path.getsize(dec) - 0) // 4  # refined below from the header
    nx = int(subprocess.run(['ffprobe', '-v', 'error', '-show_entries', 'stream=duration_ts', '-of', 'csv=p=0', dec], capture_output=True, text=True).stdout.strip())
    mm = subprocess.run(['node', os.path.join(root, 'bin', 'mmprep.js'), 'audio', a.file, '--f0-floor', str(a.floor), '--f0-ceiling', str(a.ceiling), '--hop', str(a.hop), '--sr', str(a.sr), '--digits', '0'], capture_output=True, text=True, check=True).stdout
    recs = [json.loads(l) for l in mm.splitlines()]
    dt = a.hop / a.sr
    wdur = 3 / a.floor
    frames = lambda n: math.floor((n / a.sr - wdur) / dt + 1e-9) + 1
    # Praat's first frame (in samples from Praat's first sample, whose centre is at 0.5 / sr) sits at
    # (n - 1) / 2 - hop / 2 * (frames - 1): pad so that, minus the q leading zeros, it is a multiple of hop.
    found = None
    for q in range(0, 4 * a.hop):
        for p in range(0, 2 * a.hop + 2):
            n = nx + q + p
            v = (n - 1) / 2 - a.hop / 2 * (frames(n) - 1) - q
            if abs(v - round(v)) < 1e-9 and round(v) % a.hop == 0:
                found = (q, p)
                break
        if found:
            break
    if not found:
        sys.exit('no padding aligns the grids')
    q, p = found
    pad = os.path.join(tmp, 'pad.wav')
    subprocess.run(['ffmpeg', '-loglevel', 'error', '-y', '-i', dec, '-af', f'adelay={q}S:all=1,apad=pad_len={p}', '-c:a', 'pcm_f32le', pad], check=True)
    script = os.path.join(tmp, 'pitch.praat')
    open(script, 'w').write(PRAAT)
    out = os.path.join(tmp, 'pitch.txt')
    subprocess.run(['praat', '--run', script, pad, out, str(a.floor), str(a.ceiling), repr(dt)], check=True)
    pr = [tuple(map(float, l.split())) for l in open(out)]
    k0 = round((pr[0][0] - (q + 0.5) / a.sr) / dt)
    assert abs(k0 * dt + (q + 0.5) / a.sr - pr[0][0]) < 1e-6, 'grids not aligned'
    tot = same = both = w5 = only_m = only_p = 0
    cents = []
    half = wdur * a.sr / 2
    for j, (_, fp) in enumerate(pr):
        k = k0 + j
        if k >= len(recs) or k * a.hop + half > nx or k * a.hop - half < 0:
            continue  # a window reaching into Praat's padding
        fm = recs[k]['f0_hz'] or 0
        tot += 1
        if (fm > 0) == (fp > 0):
            same += 1
        elif fm > 0:
            only_m += 1
        else:
            only_p += 1
        if fm > 0 and fp > 0:
            both += 1
            cents.append(abs(1200 * math.log2(fm / fp)))
            w5 += abs(fm / fp - 1) <= 0.05
    cents.sort()
    pick = lambda f: cents[min(len(cents) - 1, int(f * len(cents)))] if cents else float('nan')
    print(f'{a.file} [{a.floor:g}-{a.ceiling:g} Hz, step {dt:g} s, pad {q}+{p}]: {tot} frames, same voicing {100 * same / max(tot, 1):.1f} % '
          f'(voiced in mmprep only {only_m}, in Praat only {only_p}); both voiced {both}: within 5 % {100 * w5 / max(both, 1):.1f} %, '
          f'cents p50 {pick(0.5):.3f} p90 {pick(0.9):.2f} max {cents[-1] if cents else 0:.0f}')

if __name__ == '__main__':
    main()
