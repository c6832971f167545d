# A fixture at another sample rate, made by Praat (mmprep issue 15): Sound_resample with sinc depth 50, saved as
# 16-bit FLAC. Run headless: praat --run scripts/praat-resample.praat in.flac out.flac 8000
form Resample
  sentence in
  sentence out
  positive rate 8000
endform
sound = Read from file: in$
resampled = Resample: rate, 50
Save as FLAC file: out$
