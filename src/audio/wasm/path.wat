;; The pitch path finder's forward pass (Viterbi recursion of Praat's Pitch_pathFinder, Boersma 1993; src/audio/pitch.ts
;; forwardPass) in WebAssembly: for each frame t >= 1 and candidate k2, the best cumulative score over the previous
;; frame's candidates k1 of delta[t-1][k1] - cost(k1, k2) + delta[t][k2], and that k1 (the first of equals). cost is 0
;; between two unvoiced candidates (lf NaN), the voiced/unvoiced cost between an unvoiced and a voiced one, else the
;; octave-jump cost x |log2 f1 - log2 f2|. The same float64 operations in the same order as the JavaScript, so the same
;; bits (test/audio-wasm.test.ts). The JavaScript runs once per file and spent most of its time in V8's unoptimised
;; tiers before TurboFan's code for its loops arrived (the pitch worker's path, after its last frame).
;; Memory: per row (frame) t of m: the candidate count (f32) at $nc + 4t, the scores (f64) at $d + 8 (mc t + k), the
;; log2 frequencies (f64, NaN for unvoiced) at $lf + 8 (mc t + k), the backpointers (u8) at $psi + mc t + k, and mc
;; f64 of scratch at $cur.
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))

  (func (export "forward") (param $nc i32) (param $n i32) (param $mc i32) (param $jump f64) (param $vu f64)
        (param $d i32) (param $lf i32) (param $psi i32) (param $cur i32)
    (local $t i32) (local $np i32) (local $ncur i32) (local $pb i32) (local $cb i32) (local $k1 i32) (local $k2 i32)
    (local $l1 f64) (local $l2 f64) (local $cv i32) (local $cost f64) (local $val f64) (local $max f64) (local $place i32)
    (local $dc f64)
    (local.set $t (i32.const 1))
    (block $framesDone (loop $frame
      (br_if $framesDone (i32.ge_s (local.get $t) (local.get $n)))
      ;; k < NC[t] for an integer k is k < ceil(NC[t])
      (local.set $np (i32.trunc_f32_s (f32.ceil (f32.load (i32.add (local.get $nc) (i32.shl (i32.sub (local.get $t) (i32.const 1)) (i32.const 2)))))))
      (local.set $ncur (i32.trunc_f32_s (f32.ceil (f32.load (i32.add (local.get $nc) (i32.shl (local.get $t) (i32.const 2)))))))
      (local.set $pb (i32.mul (i32.sub (local.get $t) (i32.const 1)) (local.get $mc)))
      (local.set $cb (i32.mul (local.get $t) (local.get $mc)))
      (local.set $k2 (i32.const 0))
      (block $candsDone (loop $cand
        (br_if $candsDone (i32.ge_s (local.get $k2) (local.get $ncur)))
        (local.set $l2 (f64.load (i32.add (local.get $lf) (i32.shl (i32.add (local.get $cb) (local.get $k2)) (i32.const 3)))))
        (local.set $cv (f64.ne (local.get $l2) (local.get $l2)))
        (local.set $dc (f64.load (i32.add (local.get $d) (i32.shl (i32.add (local.get $cb) (local.get $k2)) (i32.const 3)))))
        (local.set $max (f64.const -1e30))
        (local.set $place (i32.const 0))
        (local.set $k1 (i32.const 0))
        (block $prevDone (loop $prev
          (br_if $prevDone (i32.ge_s (local.get $k1) (local.get $np)))
          (local.set $l1 (f64.load (i32.add (local.get $lf) (i32.shl (i32.add (local.get $pb) (local.get $k1)) (i32.const 3)))))
          (if (local.get $cv)
            (then (local.set $cost (if (result f64) (f64.ne (local.get $l1) (local.get $l1)) (then (f64.const 0)) (else (local.get $vu)))))
            (else (local.set $cost (if (result f64) (f64.ne (local.get $l1) (local.get $l1))
              (then (local.get $vu))
              (else (f64.mul (local.get $jump) (f64.abs (f64.sub (local.get $l1) (local.get $l2)))))))))
          (local.set $val (f64.add
            (f64.sub (f64.load (i32.add (local.get $d) (i32.shl (i32.add (local.get $pb) (local.get $k1)) (i32.const 3)))) (local.get $cost))
            (local.get $dc)))
          (if (f64.gt (local.get $val) (local.get $max))
            (then (local.set $max (local.get $val)) (local.set $place (local.get $k1))))
          (local.set $k1 (i32.add (local.get $k1) (i32.const 1)))
          (br $prev)))
        (f64.store (i32.add (local.get $cur) (i32.shl (local.get $k2) (i32.const 3))) (local.get $max))
        (i32.store8 (i32.add (local.get $psi) (i32.add (local.get $cb) (local.get $k2))) (local.get $place))
        (local.set $k2 (i32.add (local.get $k2) (i32.const 1)))
        (br $cand)))
      ;; the frame's new scores replace its local ones only after all its candidates are done
      (local.set $k2 (i32.const 0))
      (block $copyDone (loop $copy
        (br_if $copyDone (i32.ge_s (local.get $k2) (local.get $ncur)))
        (f64.store (i32.add (local.get $d) (i32.shl (i32.add (local.get $cb) (local.get $k2)) (i32.const 3)))
          (f64.load (i32.add (local.get $cur) (i32.shl (local.get $k2) (i32.const 3)))))
        (local.set $k2 (i32.add (local.get $k2) (i32.const 1)))
        (br $copy)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $frame)))
  )
)
