#!/bin/sh
# Praat TextGrids as the Montreal Forced Aligner writes them (tiers "words" and "phones"; per speaker
# "<speaker> - words"), saved by Praat itself (`praat --run`, Praat 6.3) so the files are Praat's own bytes: the "long"
# text format, the "short" one, and UTF-16 (big-endian, with BOM), which Praat writes when a label is not ASCII.
# Word times follow fixtures/demo/truth.json's s01 utterances (2.69-3.42, 4.185-5.715, 6.576-7.676 s).
# MFA's --include_original_text tier "utterances" in mfa_utterances.TextGrid. Read by test/transcript.test.ts. Usage: sh scripts/make-textgrid-fixtures.sh [out-dir]
set -eu
out=${1:-fixtures/dataset/textgrid}
mkdir -p "$out"
dir=$(cd "$out" && pwd)
script=$(mktemp --suffix .praat)
trap 'rm -f "$script"' EXIT
cat > "$script" <<PRAAT
procedure boundary: .tier, .t
  .i = Get interval at time: .tier, .t
  .s = Get start time of interval: .tier, .i
  if .s <> .t
    Insert boundary: .tier, .t
  endif
endproc

procedure words: .tier, .spec\$
  # .spec\$: "start end label;" items; boundaries inserted, labels set (an empty label is MFA's silence)
  .rest\$ = .spec\$
  while length(.rest\$) > 0
    .semi = index(.rest\$, ";")
    .item\$ = left\$(.rest\$, .semi - 1)
    .rest\$ = mid\$(.rest\$, .semi + 1, 10000)
    .sp1 = index(.item\$, " ")
    .a = number(left\$(.item\$, .sp1 - 1))
    .item\$ = mid\$(.item\$, .sp1 + 1, 10000)
    .sp2 = index(.item\$, " ")
    if .sp2 = 0
      .b = number(.item\$)
      .label\$ = ""
    else
      .b = number(left\$(.item\$, .sp2 - 1))
      .label\$ = mid\$(.item\$, .sp2 + 1, 10000)
    endif
    @boundary: .tier, .a
    @boundary: .tier, .b
    .i = Get interval at time: .tier, (.a + .b) / 2
    Set interval text: .tier, .i, .label\$
  endwhile
endproc

s01\$ = "2.69 2.93 ten;2.93 2.95 ;2.95 3.05 of;3.05 3.1 sp;3.1 3.42 clubs;4.185 4.5 four;4.5 4.9 <unk>;4.9 5.0 of;5.0 5.715 clubs;5.715 6.0 sil;6.576 6.9 seven;6.9 7.0 of;7.0 7.676 clubs;"

Create TextGrid: 0, 10.2, "words phones", ""
@words: 1, s01\$
@words: 2, "2.69 2.8 T;2.8 2.93 EH1;2.93 2.95 ;2.95 3.0 AH0;3.0 3.05 V;"
Save as text file: "$dir/mfa.TextGrid"
Save as short text file: "$dir/mfa_short.TextGrid"
Remove

# MFA's --include_original_text: an "utterances" tier with the transcript's own text (the third utterance left out).
Create TextGrid: 0, 10.2, "words phones utterances", ""
@words: 1, s01\$
@words: 3, "2.6 3.5 Ten of clubs.;4.1 5.8 Four, queen of clubs!;"
Save as text file: "$dir/mfa_utterances.TextGrid"
Remove

Create TextGrid: 0, 10.2, "words phones", ""
@words: 1, replace\$(s01\$, "7.0 7.676 clubs", "7.0 7.676 trèfles", 1)
Save as text file: "$dir/mfa_utf16.TextGrid"
Remove

# Two speakers, MFA's speaker-named tiers; the interviewer (INT) speaks over spk_a's first words.
Create TextGrid: 0, 10.2, "t1 t2 t3 t4", ""
Set tier name: 1, "spk_a - words"
Set tier name: 2, "spk_a - phones"
Set tier name: 3, "INT - words"
Set tier name: 4, "INT - phones"
@words: 1, "2.69 2.93 ten;2.95 3.05 of;3.1 3.42 clubs;"
@words: 3, "0.5 0.8 say;0.8 1.1 a;1.1 1.5 card;2.8 3.0 yes;"
Save as short text file: "$dir/speakers.TextGrid"
Remove
PRAAT
praat --run "$script"
