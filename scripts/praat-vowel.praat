# A synthetic sustained vowel for mmprep's voice fixtures (issue 15), made by scripts/make-voice-references.mjs:
#   praat --run scripts/praat-vowel.praat OUT.wav SR F0 JITTER SHIMMER_DB F1 F2 F3 F4 DUR NOISE SEED
# Glottal pulses every 1/F0 s with Gaussian period perturbation (relative SD JITTER), Praat's PointProcess
# "To Sound (phonation)", four formants (FormantGrid, bandwidths 80-170 Hz), an amplitude perturbation at each pulse
# (IntensityTier, SD SHIMMER_DB dB), Gaussian noise of SD 0.05 x NOISE, then scaled to peak 0.7; written as 16-bit WAV.
# SEED makes it repeatable (the same Praat version gives the same samples).
# OUT must be an absolute path (Praat resolves relative paths against the script's folder).
form v
  sentence out
  positive sr
  positive f0
  real jit
  real shimdb
  positive f1
  positive f2
  positive f3
  positive f4
  positive dur
  real noise
  integer seed
endform
random_initializeWithSeedUnsafelyButPredictably: seed
pp = Create empty PointProcess: "pp", 0, dur
t = 0.05
while t < dur - 0.05
  Add point: t
  t = t + (1 / f0) * (1 + randomGauss (0, jit))
endwhile
src = To Sound (phonation): sr, 1, 0.05, 0.7, 0.03, 3, 4
it = Create IntensityTier: "it", 0, dur
selectObject: pp
n = Get number of points
for i to n
  selectObject: pp
  tp = Get time from index: i
  selectObject: it
  Add point: tp, 70 + randomGauss (0, shimdb)
endfor
fg = Create FormantGrid: "fg", 0, dur, 4, f1, 1000, 60, 50
Remove formant points between: 1, 0, dur
Add formant point: 1, dur/2, f1
Remove formant points between: 2, 0, dur
Add formant point: 2, dur/2, f2
Remove formant points between: 3, 0, dur
Add formant point: 3, dur/2, f3
Remove formant points between: 4, 0, dur
Add formant point: 4, dur/2, f4
for k to 4
  Remove bandwidth points between: k, 0, dur
  Add bandwidth point: k, dur/2, 50 + 30 * k
endfor
selectObject: src, fg
v = Filter
selectObject: v, it
v2 = Multiply: "yes"
Formula: "self + noise * randomGauss (0, 1) * 0.05"
Scale peak: 0.7
Save as WAV file: out$
