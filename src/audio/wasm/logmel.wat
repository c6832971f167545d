;; Log-mel bands of one power spectrum, as src/audio/spectral.ts's logMelJs computes them, in WebAssembly:
;; (1) each band's sum in order of w[q] * power[k] over its bins (scalar float64, the JavaScript's operations in its
;; order: the same bits), then (2) 10 log10(max(sum, 1e-10)) rounded to float32, two bands per 128-bit vector.
;; Step (2) cannot call the engine's Math.log10, so it computes log10 by its own series and keeps the float32 only
;; when it is certain (Ziv's rounding test, Ziv 1991; Muller, "Elementary Functions", 3rd ed., section 12.3): with
;; A the series' value of 10 log10(s) and d a bound on |A - 10 log10(s)| plus the engine's own error (any log10
;; within 1 ulp, with a wide margin), if fround(A - d) = fround(A + d) then fround(10 * Math.log10(s)) is that value
;; too (fround is monotonic). Otherwise (about 1 value in 10^4..10^5, and non-finite sums) the band's output is NaN
;; (a value the JavaScript never produces: sums are >= 0 or NaN, NaN becomes 1e-10) and the caller computes it with
;; Math.log10 from the sum left at $sums. So the float32 results are the JavaScript's bits on every engine.
;;
;; The series: s = 2^e m with m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(t) = 2 (t + t^3/3 + ... + t^13/13 + ...),
;; t = (m - 1) / (m + 1), |t| <= 0.1716: the terms after t^13 add at most 2 |t|^15 / 15 / (1 - t^2) < 4.6e-13 to ln m,
;; i.e. < 2.0e-12 dB; the float64 rounding errors of the series, the exponent term and the sum (values below 4000
;; dB) are below 2e-12 dB more, and an engine log10 within 1 ulp adds below |A| 2^-49. d = 1e-11 + |A| 2^-40 covers
;; the sum of these several times over.
;;
;; Memory (byte offsets): $pw the power spectrum (f64), $w the band weights (f64, band after band), $tab per band
;; (i32 x 3): first weight's index into $w, first bin, weight count; $sums nMels + 1 f64 (sums, then a copy of the
;; last when nMels is odd), $out nMels + 1 f32. Returns the number of bands left to the caller (NaN at $out).
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))

  (func (export "logmel") (param $pw i32) (param $w i32) (param $tab i32) (param $nMels i32) (param $sums i32)
        (param $out i32) (result i32)
    (local $m i32) (local $q i32) (local $n i32) (local $pq i32) (local $pk i32) (local $s f64) (local $e i32)
    ;; (1) band sums, in order
    (block $mdone (loop $mnext
      (br_if $mdone (i32.ge_s (local.get $m) (local.get $nMels)))
      (local.set $e (i32.add (local.get $tab) (i32.mul (local.get $m) (i32.const 12))))
      (local.set $pq (i32.add (local.get $w) (i32.shl (i32.load (local.get $e)) (i32.const 3))))
      (local.set $pk (i32.add (local.get $pw) (i32.shl (i32.load offset=4 (local.get $e)) (i32.const 3))))
      (local.set $n (i32.load offset=8 (local.get $e)))
      (local.set $s (f64.const 0))
      (local.set $q (i32.const 0))
      (block $qdone (loop $qnext
        (br_if $qdone (i32.ge_s (local.get $q) (local.get $n)))
        (local.set $s (f64.add (local.get $s)
          (f64.mul (f64.load (i32.add (local.get $pq) (i32.shl (local.get $q) (i32.const 3))))
                   (f64.load (i32.add (local.get $pk) (i32.shl (local.get $q) (i32.const 3)))))))
        (local.set $q (i32.add (local.get $q) (i32.const 1)))
        (br $qnext)))
      (f64.store (i32.add (local.get $sums) (i32.shl (local.get $m) (i32.const 3))) (local.get $s))
      (local.set $m (i32.add (local.get $m) (i32.const 1)))
      (br $mnext)))
    ;; an odd count: the last sum twice (the pair's second float32 is written at $out + 4 nMels and not read)
    (if (i32.and (local.get $nMels) (i32.const 1)) (then
      (f64.store (i32.add (local.get $sums) (i32.shl (local.get $nMels) (i32.const 3)))
        (f64.load (i32.add (local.get $sums) (i32.shl (i32.sub (local.get $nMels) (i32.const 1)) (i32.const 3)))))))
    (call $logs (local.get $sums) (local.get $out) (local.get $nMels)))

  ;; (2) out[m] = fround(10 log10(max(sums[m], 1e-10))) where certain, else NaN; returns how many are NaN.
  (func $logs (param $sums i32) (param $out i32) (param $nMels i32) (result i32)
    (local $m i32) (local $left i32) (local $s v128) (local $bits v128) (local $e v128) (local $x v128)
    (local $big v128) (local $t v128) (local $z v128) (local $p v128) (local $a v128) (local $d v128)
    (local $lo v128) (local $hi v128) (local $good v128) (local $amin v128)
    (local.set $amin (f64x2.splat (f64.const 1e-10)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $m) (local.get $nMels)))
      (local.set $s (v128.load (i32.add (local.get $sums) (i32.shl (local.get $m) (i32.const 3)))))
      ;; s > 1e-10 ? s : 1e-10 (NaN -> 1e-10), as the JavaScript
      (local.set $s (v128.bitselect (local.get $s) (local.get $amin) (f64x2.gt (local.get $s) (local.get $amin))))
      ;; s = 2^e x, x in [1, 2); then x > sqrt(2): x / 2, e + 1
      (local.set $bits (local.get $s))
      (local.set $e (i64x2.sub (i64x2.shr_u (local.get $bits) (i32.const 52)) (v128.const i64x2 1023 1023)))
      (local.set $x (v128.or (v128.and (local.get $bits) (v128.const i64x2 0x000FFFFFFFFFFFFF 0x000FFFFFFFFFFFFF))
                             (v128.const i64x2 0x3FF0000000000000 0x3FF0000000000000)))
      (local.set $big (f64x2.gt (local.get $x) (f64x2.splat (f64.const 1.4142135623730951))))
      (local.set $x (v128.bitselect (f64x2.mul (local.get $x) (f64x2.splat (f64.const 0.5))) (local.get $x) (local.get $big)))
      (local.set $e (i64x2.sub (local.get $e) (local.get $big)))
      ;; ln x = t (2 + z (2/3 + z (2/5 + ... + z 2/13))), t = (x - 1) / (x + 1), z = t^2
      (local.set $t (f64x2.div (f64x2.sub (local.get $x) (f64x2.splat (f64.const 1))) (f64x2.add (local.get $x) (f64x2.splat (f64.const 1)))))
      (local.set $z (f64x2.mul (local.get $t) (local.get $t)))
      (local.set $p (f64x2.splat (f64.const 0.15384615384615385)))
      (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (f64x2.splat (f64.const 0.18181818181818182))))
      (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (f64x2.splat (f64.const 0.2222222222222222))))
      (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (f64x2.splat (f64.const 0.2857142857142857))))
      (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (f64x2.splat (f64.const 0.4))))
      (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (f64x2.splat (f64.const 0.6666666666666666))))
      (local.set $p (f64x2.add (f64x2.mul (local.get $p) (local.get $z)) (f64x2.splat (f64.const 2))))
      ;; A = e 10 log10(2) + (10 / ln 10) ln x
      (local.set $a (f64x2.add
        (f64x2.mul (f64x2.convert_low_i32x4_s (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11 (local.get $e) (local.get $e)))
                   (f64x2.splat (f64.const 3.010299956639812)))
        (f64x2.mul (f64x2.mul (local.get $t) (local.get $p)) (f64x2.splat (f64.const 4.342944819032518)))))
      (local.set $d (f64x2.add (f64x2.splat (f64.const 1e-11)) (f64x2.mul (f64x2.abs (local.get $a)) (f64x2.splat (f64.const 9.094947017729282e-13)))))
      (local.set $lo (f32x4.demote_f64x2_zero (f64x2.sub (local.get $a) (local.get $d))))
      (local.set $hi (f32x4.demote_f64x2_zero (f64x2.add (local.get $a) (local.get $d))))
      ;; certain: both ends round alike, and s finite (s < 1e300; an infinite s is left to the caller)
      (local.set $good (v128.and (f32x4.eq (local.get $lo) (local.get $hi))
        (i8x16.shuffle 0 1 2 3 8 9 10 11 0 1 2 3 8 9 10 11
          (f64x2.lt (local.get $s) (f64x2.splat (f64.const 1e300))) (f64x2.lt (local.get $s) (f64x2.splat (f64.const 1e300))))))
      (v128.store64_lane 0 (i32.add (local.get $out) (i32.shl (local.get $m) (i32.const 2)))
        (v128.bitselect (local.get $lo) (v128.const i32x4 0x7FC00000 0x7FC00000 0x7FC00000 0x7FC00000) (local.get $good)))
      (local.set $left (i32.add (local.get $left)
        (i32.popcnt (i32.xor (i32.and (i32x4.bitmask (local.get $good)) (i32.const 3)) (i32.const 3)))))
      (local.set $m (i32.add (local.get $m) (i32.const 2)))
      (br $next)))
    (local.get $left))
)
