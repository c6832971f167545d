;; The two halves of Praat's NUM_interpolate_sinc (melder/NUMinterpol.cpp) on a lag array mirrored at 0, as
;; src/audio/sinc.ts's sincBothSides does them, in WebAssembly with 128-bit SIMD: lane 0 is the left half (lags
;; fromL, fromL - 1, .. mirrored at 0), lane 1 the right half (fromR, fromR + 1, ..). Each lane does the JavaScript's
;; float64 operations in its order (the weight (h / a) (1 + cos), the sample times the weight, the angle-addition
;; recurrence of sin / cos, a += pi, h = -h); the left terms are summed as they come, the right ones kept and added
;; afterwards in order, as Praat adds them. Bit-identical to the JavaScript (test/audio-wasm.test.ts). The caller
;; computes the starting sines and cosines with Math.sin / Math.cos (so those are V8's too) and writes them at $args
;; (six (left, right) pairs of float64), where the result is written too: doubles passed as call arguments were boxed
;; as heap numbers at each call from JavaScript (~110 bytes a call, ~100 MB per 10 minutes in the pitch worker).
;; Memory: r[0 .. rMax] at byte offset $r, the right half's terms at $terms, the arguments and the result at $args.
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))

  (func (export "both") (param $r i32) (param $terms i32) (param $args i32)
        (param $fromL i32) (param $nL i32) (param $fromR i32) (param $nR i32)
    (local $j i32) (local $k i32) (local $common i32) (local $result f64) (local $p v128) (local $help v128)
    (local $a v128) (local $h v128) (local $c v128) (local $s v128) (local $cd v128) (local $sd v128)
    ;; args: the two halves' starting values as pairs (left, right): a, h, c, s, cd, sd; the result goes after them
    (local.set $a (v128.load (local.get $args)))
    (local.set $h (v128.load offset=16 (local.get $args)))
    (local.set $c (v128.load offset=32 (local.get $args)))
    (local.set $s (v128.load offset=48 (local.get $args)))
    (local.set $cd (v128.load offset=64 (local.get $args)))
    (local.set $sd (v128.load offset=80 (local.get $args)))
    (local.set $common (select (local.get $nL) (local.get $nR) (i32.lt_s (local.get $nL) (local.get $nR))))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $common)))
      (local.set $k (i32.sub (local.get $fromL) (local.get $j)))
      (local.set $k (select (local.get $k) (i32.sub (i32.const 0) (local.get $k)) (i32.ge_s (local.get $k) (i32.const 0))))
      (local.set $p (f64x2.mul
        (f64x2.replace_lane 1
          (f64x2.splat (f64.load (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 3)))))
          (f64.load (i32.add (local.get $r) (i32.shl (i32.add (local.get $fromR) (local.get $j)) (i32.const 3)))))
        (f64x2.mul (f64x2.div (local.get $h) (local.get $a)) (f64x2.add (f64x2.splat (f64.const 1)) (local.get $c)))))
      (local.set $result (f64.add (local.get $result) (f64x2.extract_lane 0 (local.get $p))))
      (f64.store (i32.add (local.get $terms) (i32.shl (local.get $j) (i32.const 3))) (f64x2.extract_lane 1 (local.get $p)))
      (local.set $a (f64x2.add (local.get $a) (f64x2.splat (f64.const 0x1.921fb54442d18p+1)))) ;; Math.PI
      (local.set $help (f64x2.sub (f64x2.mul (local.get $c) (local.get $cd)) (f64x2.mul (local.get $s) (local.get $sd))))
      (local.set $s (f64x2.add (f64x2.mul (local.get $c) (local.get $sd)) (f64x2.mul (local.get $s) (local.get $cd))))
      (local.set $c (local.get $help))
      (local.set $h (f64x2.neg (local.get $h)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))
    (local.set $result (call $leftTail (local.get $r) (local.get $result) (local.get $j) (local.get $nL) (local.get $fromL)
      (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 0 (local.get $h)) (f64x2.extract_lane 0 (local.get $c))
      (f64x2.extract_lane 0 (local.get $s)) (f64x2.extract_lane 0 (local.get $cd)) (f64x2.extract_lane 0 (local.get $sd))))
    (call $rightTail (local.get $r) (local.get $terms) (local.get $j) (local.get $nR) (local.get $fromR)
      (f64x2.extract_lane 1 (local.get $a)) (f64x2.extract_lane 1 (local.get $h)) (f64x2.extract_lane 1 (local.get $c))
      (f64x2.extract_lane 1 (local.get $s)) (f64x2.extract_lane 1 (local.get $cd)) (f64x2.extract_lane 1 (local.get $sd)))
    ;; the right half's terms, in order
    (local.set $j (i32.const 0))
    (block $sdone (loop $snext
      (br_if $sdone (i32.ge_s (local.get $j) (local.get $nR)))
      (local.set $result (f64.add (local.get $result) (f64.load (i32.add (local.get $terms) (i32.shl (local.get $j) (i32.const 3))))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $snext)))
    (f64.store offset=96 (local.get $args) (local.get $result)))

  ;; The left half's terms j .. nL - 1 (when it is the longer half), added to result.
  (func $leftTail (param $r i32) (param $result f64) (param $j i32) (param $n i32) (param $from i32)
        (param $a f64) (param $h f64) (param $c f64) (param $s f64) (param $cd f64) (param $sd f64) (result f64)
    (local $k i32) (local $help f64)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $k (i32.sub (local.get $from) (local.get $j)))
      (local.set $k (select (local.get $k) (i32.sub (i32.const 0) (local.get $k)) (i32.ge_s (local.get $k) (i32.const 0))))
      (local.set $result (f64.add (local.get $result)
        (f64.mul (f64.load (i32.add (local.get $r) (i32.shl (local.get $k) (i32.const 3))))
          (f64.mul (f64.div (local.get $h) (local.get $a)) (f64.add (f64.const 1) (local.get $c))))))
      (local.set $a (f64.add (local.get $a) (f64.const 0x1.921fb54442d18p+1)))
      (local.set $help (f64.sub (f64.mul (local.get $c) (local.get $cd)) (f64.mul (local.get $s) (local.get $sd))))
      (local.set $s (f64.add (f64.mul (local.get $c) (local.get $sd)) (f64.mul (local.get $s) (local.get $cd))))
      (local.set $c (local.get $help))
      (local.set $h (f64.neg (local.get $h)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))
    (local.get $result))

  ;; The right half's terms j .. nN - 1 (when it is the longer half), stored at terms[j ..].
  (func $rightTail (param $r i32) (param $terms i32) (param $j i32) (param $n i32) (param $from i32)
        (param $a f64) (param $h f64) (param $c f64) (param $s f64) (param $cd f64) (param $sd f64)
    (local $help f64)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $n)))
      (f64.store (i32.add (local.get $terms) (i32.shl (local.get $j) (i32.const 3)))
        (f64.mul (f64.load (i32.add (local.get $r) (i32.shl (i32.add (local.get $from) (local.get $j)) (i32.const 3))))
          (f64.mul (f64.div (local.get $h) (local.get $a)) (f64.add (f64.const 1) (local.get $c)))))
      (local.set $a (f64.add (local.get $a) (f64.const 0x1.921fb54442d18p+1)))
      (local.set $help (f64.sub (f64.mul (local.get $c) (local.get $cd)) (f64.mul (local.get $s) (local.get $sd))))
      (local.set $s (f64.add (f64.mul (local.get $c) (local.get $sd)) (f64.mul (local.get $s) (local.get $cd))))
      (local.set $c (local.get $help))
      (local.set $h (f64.neg (local.get $h)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next))))

  ;; The pitch analysis's first pass before its candidates (src/audio/pitch.ts voicedCandidates): r[0] = 1 and
  ;; r[i] = acf[i] / (acf[0] wR[i]) for i = 1 .. rMax (the same product and quotient as the JavaScript, two lanes at a
  ;; time), then the lags i = 2 .. lagLimit - 1 where r has a peak over the threshold (r[i] > thr, r[i] > r[i - 1],
  ;; r[i] >= r[i + 1], the JavaScript's comparisons in its order of lags) written at $peaks (i32); returns their count.
  ;; acf[0 .. rMax] and wR[0 .. rMax] (f64) at $acf, $wR; the threshold (f64) at $thr.
  (func (export "peaks") (param $r i32) (param $acf i32) (param $wR i32) (param $rMax i32) (param $lagLimit i32)
        (param $thr i32) (param $peaks i32) (result i32)
    (local $i i32) (local $o i32) (local $n i32) (local $a0 v128) (local $ri f64) (local $t f64)
    (local.set $a0 (v128.load64_splat (local.get $acf)))
    (f64.store (local.get $r) (f64.const 1))
    (local.set $i (i32.const 1))
    (block $pairs (loop $pair
      (br_if $pairs (i32.gt_s (i32.add (local.get $i) (i32.const 1)) (local.get $rMax)))
      (local.set $o (i32.shl (local.get $i) (i32.const 3)))
      (v128.store (i32.add (local.get $r) (local.get $o))
        (f64x2.div (v128.load (i32.add (local.get $acf) (local.get $o)))
          (f64x2.mul (local.get $a0) (v128.load (i32.add (local.get $wR) (local.get $o))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $pair)))
    (if (i32.le_s (local.get $i) (local.get $rMax)) (then
      (local.set $o (i32.shl (local.get $i) (i32.const 3)))
      (f64.store (i32.add (local.get $r) (local.get $o))
        (f64.div (f64.load (i32.add (local.get $acf) (local.get $o)))
          (f64.mul (f64.load (local.get $acf)) (f64.load (i32.add (local.get $wR) (local.get $o))))))))
    (local.set $t (f64.load (local.get $thr)))
    (local.set $i (i32.const 2))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $i) (local.get $lagLimit)))
      (local.set $o (i32.add (local.get $r) (i32.shl (local.get $i) (i32.const 3))))
      (local.set $ri (f64.load (local.get $o)))
      (if (i32.and (f64.gt (local.get $ri) (local.get $t))
            (i32.and (f64.gt (local.get $ri) (f64.load offset=0 (i32.sub (local.get $o) (i32.const 8))))
              (f64.ge (local.get $ri) (f64.load offset=8 (local.get $o)))))
        (then
          (i32.store (i32.add (local.get $peaks) (i32.shl (local.get $n) (i32.const 2))) (local.get $i))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $n))

)
