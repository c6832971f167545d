;; MFCC of log-mel frames, two frames at a time, as src/audio/spectral.ts's mfccFromLogMelJs does each frame, in
;; WebAssembly with 128-bit SIMD: frames t and t+1 in the two lanes. Per frame the same float64 operations in the
;; same order as the JavaScript: the top_db clip (v > floor ? v : floor), the fold sum[m] = row[m] + row[M-1-m],
;; dif[m] = row[m] - row[M-1-m] (DCT-II rows are even or odd about the centre), then each coefficient k as the sum in
;; order of D[k][m] * sum[m] (k even) or D[k][m] * dif[m] (k odd) (librosa.feature.mfcc: dct_type 2, norm 'ortho').
;; Bit-identical (test/audio-wasm.test.ts). Memory (byte offsets): $lm the frames' log-mel values (f32, frame-major,
;; an even count), $D the DCT matrix (f64, nMfcc x nMels), $out the coefficients (f64, frame-major), $work 3 nMels
;; f64x2 scratch values (row, sum, dif).
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))

  (func (export "mfcc") (param $lm i32) (param $frames i32) (param $nMels i32) (param $nMfcc i32) (param $D i32)
        (param $floor f64) (param $out i32) (param $work i32)
    (local $t i32) (local $m i32) (local $p0 i32) (local $p1 i32) (local $fl v128) (local $v v128)
    (local $row i32) (local $sum i32) (local $dif i32) (local $half i32) (local $odd i32)
    (local.set $fl (f64x2.splat (local.get $floor)))
    (local.set $row (local.get $work))
    (local.set $sum (i32.add (local.get $work) (i32.shl (local.get $nMels) (i32.const 4))))
    (local.set $dif (i32.add (local.get $sum) (i32.shl (local.get $nMels) (i32.const 4))))
    (local.set $half (i32.shr_u (local.get $nMels) (i32.const 1)))
    (local.set $odd (i32.and (local.get $nMels) (i32.const 1)))
    (block $tdone (loop $tnext
      (br_if $tdone (i32.ge_s (local.get $t) (local.get $frames)))
      ;; row[m] = clipped (lm[t][m], lm[t+1][m])
      (local.set $p0 (i32.add (local.get $lm) (i32.shl (i32.mul (local.get $t) (local.get $nMels)) (i32.const 2))))
      (local.set $p1 (i32.add (local.get $p0) (i32.shl (local.get $nMels) (i32.const 2))))
      (local.set $m (i32.const 0))
      (block $rdone (loop $rnext
        (br_if $rdone (i32.ge_s (local.get $m) (local.get $nMels)))
        (local.set $v (f64x2.replace_lane 1
          (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $p0) (i32.shl (local.get $m) (i32.const 2))))))
          (f64.promote_f32 (f32.load (i32.add (local.get $p1) (i32.shl (local.get $m) (i32.const 2)))))))
        (v128.store (i32.add (local.get $row) (i32.shl (local.get $m) (i32.const 4)))
          (v128.bitselect (local.get $v) (local.get $fl) (f64x2.gt (local.get $v) (local.get $fl))))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $rnext)))
      (call $fold (local.get $row) (local.get $sum) (local.get $dif) (local.get $nMels) (local.get $half) (local.get $odd))
      (call $coefs (local.get $sum) (local.get $dif) (local.get $nMels) (local.get $nMfcc) (local.get $D)
        (i32.add (local.get $out) (i32.shl (i32.mul (local.get $t) (local.get $nMfcc)) (i32.const 3)))
        (i32.add (local.get $half) (local.get $odd)) (local.get $half))
      (local.set $t (i32.add (local.get $t) (i32.const 2)))
      (br $tnext))))

  ;; sum[m] = row[m] + row[M-1-m], dif[m] = row[m] - row[M-1-m] (m < M/2); sum[M/2] = row[M/2] when M is odd.
  (func $fold (param $row i32) (param $sum i32) (param $dif i32) (param $nMels i32) (param $half i32) (param $odd i32)
    (local $m i32) (local $a v128) (local $b v128)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $m) (local.get $half)))
      (local.set $a (v128.load (i32.add (local.get $row) (i32.shl (local.get $m) (i32.const 4)))))
      (local.set $b (v128.load (i32.add (local.get $row)
        (i32.shl (i32.sub (i32.sub (local.get $nMels) (i32.const 1)) (local.get $m)) (i32.const 4)))))
      (v128.store (i32.add (local.get $sum) (i32.shl (local.get $m) (i32.const 4))) (f64x2.add (local.get $a) (local.get $b)))
      (v128.store (i32.add (local.get $dif) (i32.shl (local.get $m) (i32.const 4))) (f64x2.sub (local.get $a) (local.get $b)))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $next)))
    (if (local.get $odd) (then
      (v128.store (i32.add (local.get $sum) (i32.shl (local.get $half) (i32.const 4)))
        (v128.load (i32.add (local.get $row) (i32.shl (local.get $half) (i32.const 4))))))))

  ;; out[k] (frame t) and out[nMfcc + k] (frame t+1) for k < nMfcc: the dot products of DCT row k with sum or dif.
  (func $coefs (param $sum i32) (param $dif i32) (param $nMels i32) (param $nMfcc i32) (param $D i32) (param $out i32)
        (param $nEven i32) (param $nOdd i32)
    (local $k i32) (local $m i32) (local $n i32) (local $src i32) (local $base i32) (local $s v128)
    (block $kdone (loop $knext
      (br_if $kdone (i32.ge_s (local.get $k) (local.get $nMfcc)))
      (local.set $base (i32.add (local.get $D) (i32.shl (i32.mul (local.get $k) (local.get $nMels)) (i32.const 3))))
      (local.set $src (select (local.get $dif) (local.get $sum) (i32.and (local.get $k) (i32.const 1))))
      (local.set $n (select (local.get $nOdd) (local.get $nEven) (i32.and (local.get $k) (i32.const 1))))
      (local.set $s (v128.const i64x2 0 0))
      (local.set $m (i32.const 0))
      (block $mdone (loop $mnext
        (br_if $mdone (i32.ge_s (local.get $m) (local.get $n)))
        (local.set $s (f64x2.add (local.get $s)
          (f64x2.mul (v128.load64_splat (i32.add (local.get $base) (i32.shl (local.get $m) (i32.const 3))))
            (v128.load (i32.add (local.get $src) (i32.shl (local.get $m) (i32.const 4)))))))
        (local.set $m (i32.add (local.get $m) (i32.const 1)))
        (br $mnext)))
      (f64.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))) (f64x2.extract_lane 0 (local.get $s)))
      (f64.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $nMfcc) (local.get $k)) (i32.const 3)))
        (f64x2.extract_lane 1 (local.get $s)))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $knext))))
)
