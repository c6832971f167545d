# Praat 6.3 voice references for mmprep (issue 15). Run headless:
#   praat --run scripts/praat-voice-report.praat in.flac out.json 5500
# (the last argument: the maximum formant of To Formant (burg), mmprep's --formant-ceiling-hz)
# Conventions (the voice report's): pitch 75-600 Hz on Praat's own frame grid, pulses by
# "To PointProcess (periodic, cc)", jitter with 0.0001 0.02 1.3, shimmer with 0.0001 0.02 1.3 1.6,
# HNR = "To Harmonicity (cc)" 0.01 75 0.1 4.5 then "Get mean"; also the voice report's own HNR ("Voice report" 0 0 75 600
# 1.3 1.6 0.03 0.45: "Mean harmonics-to-noise ratio", the mean over the Pitch's voiced frames, printed to 3 decimals), formants = "To Formant (burg)" 0 5 max_formant 0.025 50.
# Per-frame jitter/shimmer: the same measures over [t - 0.05, t + 0.05] at t = i * 0.01 s (mmprep's grid).
form Voice references
  sentence wav
  sentence out
  positive max_formant 5500
endform

procedure num: .x
  if .x = undefined
    num$ = "null"
  else
    num$ = fixed$ (.x, 12)
  endif
endproc

sound = Read from file: wav$
dur = Get total duration
pitch = To Pitch: 0, 75, 600
selectObject: sound
pp = To PointProcess (periodic, cc): 75, 600
jl = Get jitter (local): 0, 0, 0.0001, 0.02, 1.3
jla = Get jitter (local, absolute): 0, 0, 0.0001, 0.02, 1.3
jrap = Get jitter (rap): 0, 0, 0.0001, 0.02, 1.3
jppq5 = Get jitter (ppq5): 0, 0, 0.0001, 0.02, 1.3
jddp = Get jitter (ddp): 0, 0, 0.0001, 0.02, 1.3
selectObject: sound, pp
sl = Get shimmer (local): 0, 0, 0.0001, 0.02, 1.3, 1.6
sldb = Get shimmer (local_dB): 0, 0, 0.0001, 0.02, 1.3, 1.6
sapq3 = Get shimmer (apq3): 0, 0, 0.0001, 0.02, 1.3, 1.6
sapq5 = Get shimmer (apq5): 0, 0, 0.0001, 0.02, 1.3, 1.6
sapq11 = Get shimmer (apq11): 0, 0, 0.0001, 0.02, 1.3, 1.6
sdda = Get shimmer (dda): 0, 0, 0.0001, 0.02, 1.3, 1.6
selectObject: sound, pitch, pp
report$ = Voice report: 0, 0, 75, 600, 1.3, 1.6, 0.03, 0.45
vrhnr = extractNumber (report$, "Mean harmonics-to-noise ratio: ")
selectObject: sound
harm = To Harmonicity (cc): 0.01, 75, 0.1, 4.5
hnr = Get mean: 0, 0
selectObject: sound
formant = To Formant (burg): 0, 5, max_formant, 0.025, 50

writeFile: out$, "{"
appendFile: out$, """duration_s"":", fixed$ (dur, 9)
@num: jl
appendFile: out$, ",""file"":{""jitter_local"":", num$
@num: jla
appendFile: out$, ",""jitter_local_absolute_s"":", num$
@num: jrap
appendFile: out$, ",""jitter_rap"":", num$
@num: jppq5
appendFile: out$, ",""jitter_ppq5"":", num$
@num: jddp
appendFile: out$, ",""jitter_ddp"":", num$
@num: sl
appendFile: out$, ",""shimmer_local"":", num$
@num: sldb
appendFile: out$, ",""shimmer_local_db"":", num$
@num: sapq3
appendFile: out$, ",""shimmer_apq3"":", num$
@num: sapq5
appendFile: out$, ",""shimmer_apq5"":", num$
@num: sapq11
appendFile: out$, ",""shimmer_apq11"":", num$
@num: sdda
appendFile: out$, ",""shimmer_dda"":", num$
@num: hnr
appendFile: out$, ",""hnr_mean_db"":", num$
@num: vrhnr
appendFile: out$, ",""hnr_voice_report_db"":", num$, "}"

# Pitch frames (voice settings)
selectObject: pitch
n = Get number of frames
line$ = ",""pitch"":{""times"":["
for i to n
  t = Get time from frame number: i
  line$ = line$ + (if i > 1 then "," else "" fi) + fixed$ (t, 9)
endfor
line$ = line$ + "],""f0_hz"":["
for i to n
  f = Get value in frame: i, "Hertz"
  @num: f
  line$ = line$ + (if i > 1 then "," else "" fi) + num$
endfor
appendFile: out$, line$, "]}"

# Pulses
selectObject: pp
n = Get number of points
line$ = ",""pulses_s"":["
for i to n
  t = Get time from index: i
  line$ = line$ + (if i > 1 then "," else "" fi) + fixed$ (t, 12)
endfor
appendFile: out$, line$, "]"

# Harmonicity frames
selectObject: harm
n = Get number of frames
line$ = ",""harmonicity"":{""times"":["
for i to n
  t = Get time from frame number: i
  line$ = line$ + (if i > 1 then "," else "" fi) + fixed$ (t, 9)
endfor
line$ = line$ + "],""hnr_db"":["
for i to n
  v = Get value in frame: i
  line$ = line$ + (if i > 1 then "," else "" fi) + fixed$ (v, 6)
endfor
appendFile: out$, line$, "]}"

# Formant frames: F1-F3 and bandwidths
selectObject: formant
n = Get number of frames
line$ = ",""formant"":{""times"":["
for i to n
  t = Get time from frame number: i
  line$ = line$ + (if i > 1 then "," else "" fi) + fixed$ (t, 9)
endfor
line$ = line$ + "]"
for k to 3
  line$ = line$ + ",""f" + string$ (k) + "_hz"":["
  for i to n
    t = Get time from frame number: i
    v = Get value at time: k, t, "hertz", "linear"
    @num: v
    line$ = line$ + (if i > 1 then "," else "" fi) + num$
  endfor
  line$ = line$ + "],""b" + string$ (k) + "_hz"":["
  for i to n
    t = Get time from frame number: i
    v = Get bandwidth at time: k, t, "hertz", "linear"
    @num: v
    line$ = line$ + (if i > 1 then "," else "" fi) + num$
  endfor
  line$ = line$ + "]"
endfor
appendFile: out$, line$, "}"

# Per-frame jitter (local) and shimmer (local) over [t - 0.05, t + 0.05] on mmprep's 10 ms grid
nf = floor (dur / 0.01 + 1e-9) + 1
jline$ = ",""frames"":{""step_s"":0.01,""window_s"":0.1,""jitter_local"":["
sline$ = ",""shimmer_local"":["
for i to nf
  t = (i - 1) * 0.01
  selectObject: pp
  v = Get jitter (local): t - 0.05, t + 0.05, 0.0001, 0.02, 1.3
  @num: v
  jline$ = jline$ + (if i > 1 then "," else "" fi) + num$
  selectObject: sound, pp
  v = Get shimmer (local): t - 0.05, t + 0.05, 0.0001, 0.02, 1.3, 1.6
  @num: v
  sline$ = sline$ + (if i > 1 then "," else "" fi) + num$
endfor
appendFile: out$, jline$, "]", sline$, "]}}"
appendFileLine: out$, ""
