# Praat 6.3 formant frames of a sound as a tab-separated table (mmprep issue 15, long-file check of the resampling):
#   praat --run scripts/praat-formant-frames.praat in.wav out.tsv 5500
# To Formant (burg) 0 5 max_formant 0.025 50, then Down to Table (time with 15 decimals, F1-F5 and B1-B5 with 9).
form Formant frames
  sentence wav
  sentence out
  positive max_formant 5500
endform
sound = Read from file: wav$
formant = To Formant (burg): 0, 5, max_formant, 0.025, 50
table = Down to Table: "no", "yes", 15, "no", 3, "yes", 9, "yes"
Save as tab-separated file: out$
