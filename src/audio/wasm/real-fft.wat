;; Real-input FFT of src/audio/real-fft.ts (RealFftJs) in WebAssembly with 128-bit SIMD: the same algorithm
;; (radix-4 DIT on m = n/2 complex points, bit-reversed load fused with the first stage, an optional last radix-2
;; stage, the real post-pass of Numerical Recipes 3rd ed. section 12.3.2) and, per output value, the same float64
;; operations in the same order: f64x2 lanes are two independent IEEE-754 computations (two butterflies k, k+1, or
;; the pair of points a load reads together), so the results are bit-identical to the JavaScript (tested).
;; Assembled by scripts/build-wasm.mjs (wabt) into real-fft-wasm-bytes.ts. The JS side (real-fft-wasm.ts) lays out
;; the memory and fills the tables, then calls setup() with the byte offsets:
;;   X: input x[0 .. n); ZR, ZI: work z (m each); RE, IM: spectrum (m + 1 each); REV: i32 byte offsets 16 rev[j]
;;   of the input pairs; TW: per radix-4 stage of quarter-span h = 4, 16, .. a block of 6h doubles w1r w1i w2r w2i
;;   w3r w3i (each h long, w^pk = e^{-2 pi i pk / 4h}); W2R, W2I: radix-2 twiddles (m/2 each); PC, PS: cos, sin of
;;   2 pi k / n, k = 0 .. m/2.
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))
  (global $m (mut i32) (i32.const 0))
  (global $X (mut i32) (i32.const 0))
  (global $ZR (mut i32) (i32.const 0))
  (global $ZI (mut i32) (i32.const 0))
  (global $RE (mut i32) (i32.const 0))
  (global $IM (mut i32) (i32.const 0))
  (global $REV (mut i32) (i32.const 0))
  (global $TW (mut i32) (i32.const 0))
  (global $W2R (mut i32) (i32.const 0))
  (global $W2I (mut i32) (i32.const 0))
  (global $PC (mut i32) (i32.const 0))
  (global $PS (mut i32) (i32.const 0))
  (global $Y (mut i32) (i32.const 0))
  (global $CT (mut i32) (i32.const 0))
  (global $ST (mut i32) (i32.const 0))
  (global $ACF (mut i32) (i32.const 0))

  (func (export "setup") (param $m i32) (param $X i32) (param $ZR i32) (param $ZI i32) (param $RE i32) (param $IM i32)
        (param $REV i32) (param $TW i32) (param $W2R i32) (param $W2I i32) (param $PC i32) (param $PS i32)
    (global.set $m (local.get $m)) (global.set $X (local.get $X)) (global.set $ZR (local.get $ZR))
    (global.set $ZI (local.get $ZI)) (global.set $RE (local.get $RE)) (global.set $IM (local.get $IM))
    (global.set $REV (local.get $REV)) (global.set $TW (local.get $TW)) (global.set $W2R (local.get $W2R))
    (global.set $W2I (local.get $W2I)) (global.set $PC (local.get $PC)) (global.set $PS (local.get $PS)))

  ;; Regions of cosft1 below: Y its input y[0 .. n], CT / ST cos / sin of pi j / n (j < n/2), ACF its output.
  (func (export "setupCos") (param $Y i32) (param $CT i32) (param $ST i32) (param $ACF i32)
    (global.set $Y (local.get $Y)) (global.set $CT (local.get $CT)) (global.set $ST (local.get $ST))
    (global.set $ACF (local.get $ACF)))

  ;; A DCT-I of n + 1 points by this real FFT of n points (Numerical Recipes' cosft1, 3rd ed. section 12.4.2), as
  ;; src/audio/pitch.ts's autocorrelate did it in JavaScript, same operations in the same order (scalar):
  ;; acf[k] = y0/2 + (-1)^k yn/2 + sum_{j=1}^{n-1} y_j cos(pi j k / n), k = 0 .. n.
  (func (export "cosft1")
    (local $j i32) (local $jb i32) (local $njb i32) (local $nb i32) (local $sum f64) (local $y1 f64) (local $y2 f64)
    (local $t f64)
    (local.set $nb (i32.shl (global.get $m) (i32.const 4))) ;; bytes of n doubles
    (local.set $sum (f64.mul (f64.const 0.5) (f64.sub (f64.load (global.get $Y)) (f64.load (i32.add (global.get $Y) (local.get $nb))))))
    (f64.store (global.get $X) (f64.mul (f64.const 0.5) (f64.add (f64.load (global.get $Y)) (f64.load (i32.add (global.get $Y) (local.get $nb))))))
    (local.set $j (i32.const 1))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $j) (global.get $m))) ;; j < n/2
      (local.set $jb (i32.shl (local.get $j) (i32.const 3)))
      (local.set $njb (i32.sub (local.get $nb) (local.get $jb)))
      (local.set $y1 (f64.mul (f64.const 0.5) (f64.add (f64.load (i32.add (global.get $Y) (local.get $jb))) (f64.load (i32.add (global.get $Y) (local.get $njb))))))
      (local.set $y2 (f64.sub (f64.load (i32.add (global.get $Y) (local.get $jb))) (f64.load (i32.add (global.get $Y) (local.get $njb)))))
      (local.set $t (f64.mul (f64.load (i32.add (global.get $ST) (local.get $jb))) (local.get $y2)))
      (f64.store (i32.add (global.get $X) (local.get $jb)) (f64.sub (local.get $y1) (local.get $t)))
      (f64.store (i32.add (global.get $X) (local.get $njb)) (f64.add (local.get $y1) (local.get $t)))
      (local.set $sum (f64.add (local.get $sum) (f64.mul (f64.load (i32.add (global.get $CT) (local.get $jb))) (local.get $y2))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))
    (f64.store (i32.add (global.get $X) (i32.shl (global.get $m) (i32.const 3)))
      (f64.load (i32.add (global.get $Y) (i32.shl (global.get $m) (i32.const 3)))))
    (call $forward)
    ;; even outputs: the real parts; odd ones: a running sum of the imaginary parts (the FFT is e^{-i..}: minus)
    (local.set $j (i32.const 0))
    (block $edone (loop $enext
      (br_if $edone (i32.gt_u (local.get $j) (global.get $m)))
      (f64.store (i32.add (global.get $ACF) (i32.shl (local.get $j) (i32.const 4)))
        (f64.load (i32.add (global.get $RE) (i32.shl (local.get $j) (i32.const 3)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $enext)))
    (f64.store offset=8 (global.get $ACF) (local.get $sum))
    (local.set $j (i32.const 1))
    (block $odone (loop $onext
      (br_if $odone (i32.ge_u (local.get $j) (global.get $m)))
      (local.set $sum (f64.sub (local.get $sum) (f64.load (i32.add (global.get $IM) (i32.shl (local.get $j) (i32.const 3))))))
      (f64.store offset=8 (i32.add (global.get $ACF) (i32.shl (local.get $j) (i32.const 4))) (local.get $sum))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $onext))))

  ;; Load fused with the first radix-4 stage (RealFftJs.loadRadix4). Lanes hold (re, im) of one input pair: a, b, c,
  ;; d = z[r], z[r + m/4], z[r + m/2], z[r + 3m/4]; outputs j .. j+3 are regrouped into (zr[j], zr[j+1]) etc.
  (func $load4
    (local $j i32) (local $s i32) (local $q i32)
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $s0 v128) (local $s1 v128) (local $s2 v128) (local $s3 v128)
    (local $p v128) (local $n v128) (local $t v128) (local $u v128)
    (local.set $q (i32.shl (global.get $m) (i32.const 2))) ;; bytes of m/2 doubles
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $j) (global.get $m)))
      (local.set $s (i32.add (global.get $X)
        (i32.load (i32.add (global.get $REV) (i32.shl (local.get $j) (i32.const 2))))))
      (local.set $a (v128.load (local.get $s)))
      (local.set $b (v128.load (i32.add (local.get $s) (local.get $q))))
      (local.set $c (v128.load (i32.add (local.get $s) (i32.shl (local.get $q) (i32.const 1)))))
      (local.set $d (v128.load (i32.add (local.get $s) (i32.mul (local.get $q) (i32.const 3)))))
      (local.set $s0 (f64x2.add (local.get $a) (local.get $c)))
      (local.set $s1 (f64x2.sub (local.get $a) (local.get $c)))
      (local.set $s2 (f64x2.add (local.get $b) (local.get $d)))
      (local.set $s3 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7
        (f64x2.sub (local.get $b) (local.get $d)) (f64x2.sub (local.get $b) (local.get $d))))
      (local.set $p (f64x2.add (local.get $s0) (local.get $s2)))
      (local.set $n (f64x2.sub (local.get $s0) (local.get $s2)))
      ;; t = (s1r + s3i, s1i + s3r), u = (s1r - s3i, s1i - s3r)
      (local.set $t (f64x2.add (local.get $s1) (local.get $s3)))
      (local.set $u (f64x2.sub (local.get $s1) (local.get $s3)))
      (local.set $s (i32.shl (local.get $j) (i32.const 3)))
      ;; zr[j..j+3] = p.re, t.re, n.re, u.re; zi[j..j+3] = p.im, u.im, n.im, t.im
      (v128.store (i32.add (global.get $ZR) (local.get $s))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $p) (local.get $t)))
      (v128.store offset=16 (i32.add (global.get $ZR) (local.get $s))
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $n) (local.get $u)))
      (v128.store (i32.add (global.get $ZI) (local.get $s))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $p) (local.get $u)))
      (v128.store offset=16 (i32.add (global.get $ZI) (local.get $s))
        (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $n) (local.get $t)))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))
      (br $next))))

  ;; One radix-4 DIT stage of quarter-span h (RealFftJs.radix4Stage), butterflies k and k+1 in the two lanes.
  ;; $tw: byte offset of the stage's twiddle block. C (at i1) * w^2k, B (at i2) * w^k, D (at i3) * w^3k.
  (func $radix4 (param $h i32) (param $tw i32)
    (local $k i32) (local $hb i32) (local $span i32) (local $end i32) (local $t i32) (local $pr i32) (local $pi i32)
    (local $w1r v128) (local $w1i v128) (local $w2r v128) (local $w2i v128) (local $w3r v128) (local $w3i v128)
    (local $xr v128) (local $xi v128) (local $cr v128) (local $ci v128) (local $br v128) (local $bi v128)
    (local $dr v128) (local $di v128) (local $ar v128) (local $ai v128)
    (local $s0r v128) (local $s0i v128) (local $s1r v128) (local $s1i v128)
    (local $s2r v128) (local $s2i v128) (local $s3r v128) (local $s3i v128)
    (local.set $hb (i32.shl (local.get $h) (i32.const 3)))
    (local.set $span (i32.shl (local.get $hb) (i32.const 2)))
    (local.set $end (i32.shl (global.get $m) (i32.const 3)))
    (block $kdone (loop $knext
      (br_if $kdone (i32.ge_u (local.get $k) (local.get $hb)))
      (local.set $t (i32.add (local.get $tw) (local.get $k)))
      (local.set $w1r (v128.load (local.get $t)))
      (local.set $w1i (v128.load (i32.add (local.get $t) (local.get $hb))))
      (local.set $w2r (v128.load (i32.add (local.get $t) (i32.mul (local.get $hb) (i32.const 2)))))
      (local.set $w2i (v128.load (i32.add (local.get $t) (i32.mul (local.get $hb) (i32.const 3)))))
      (local.set $w3r (v128.load (i32.add (local.get $t) (i32.mul (local.get $hb) (i32.const 4)))))
      (local.set $w3i (v128.load (i32.add (local.get $t) (i32.mul (local.get $hb) (i32.const 5)))))
      (local.set $t (local.get $k)) ;; byte offset of i0
      (block $idone (loop $inext
        (br_if $idone (i32.ge_u (local.get $t) (local.get $end)))
        (local.set $pr (i32.add (global.get $ZR) (local.get $t)))
        (local.set $pi (i32.add (global.get $ZI) (local.get $t)))
        (local.set $ar (v128.load (local.get $pr)))
        (local.set $ai (v128.load (local.get $pi)))
        (local.set $xr (v128.load (i32.add (local.get $pr) (local.get $hb))))
        (local.set $xi (v128.load (i32.add (local.get $pi) (local.get $hb))))
        (local.set $cr (f64x2.sub (f64x2.mul (local.get $xr) (local.get $w2r)) (f64x2.mul (local.get $xi) (local.get $w2i))))
        (local.set $ci (f64x2.add (f64x2.mul (local.get $xr) (local.get $w2i)) (f64x2.mul (local.get $xi) (local.get $w2r))))
        (local.set $xr (v128.load (i32.add (local.get $pr) (i32.shl (local.get $hb) (i32.const 1)))))
        (local.set $xi (v128.load (i32.add (local.get $pi) (i32.shl (local.get $hb) (i32.const 1)))))
        (local.set $br (f64x2.sub (f64x2.mul (local.get $xr) (local.get $w1r)) (f64x2.mul (local.get $xi) (local.get $w1i))))
        (local.set $bi (f64x2.add (f64x2.mul (local.get $xr) (local.get $w1i)) (f64x2.mul (local.get $xi) (local.get $w1r))))
        (local.set $xr (v128.load (i32.add (local.get $pr) (i32.mul (local.get $hb) (i32.const 3)))))
        (local.set $xi (v128.load (i32.add (local.get $pi) (i32.mul (local.get $hb) (i32.const 3)))))
        (local.set $dr (f64x2.sub (f64x2.mul (local.get $xr) (local.get $w3r)) (f64x2.mul (local.get $xi) (local.get $w3i))))
        (local.set $di (f64x2.add (f64x2.mul (local.get $xr) (local.get $w3i)) (f64x2.mul (local.get $xi) (local.get $w3r))))
        (local.set $s0r (f64x2.add (local.get $ar) (local.get $cr)))
        (local.set $s0i (f64x2.add (local.get $ai) (local.get $ci)))
        (local.set $s1r (f64x2.sub (local.get $ar) (local.get $cr)))
        (local.set $s1i (f64x2.sub (local.get $ai) (local.get $ci)))
        (local.set $s2r (f64x2.add (local.get $br) (local.get $dr)))
        (local.set $s2i (f64x2.add (local.get $bi) (local.get $di)))
        (local.set $s3r (f64x2.sub (local.get $br) (local.get $dr)))
        (local.set $s3i (f64x2.sub (local.get $bi) (local.get $di)))
        (v128.store (local.get $pr) (f64x2.add (local.get $s0r) (local.get $s2r)))
        (v128.store (local.get $pi) (f64x2.add (local.get $s0i) (local.get $s2i)))
        (v128.store (i32.add (local.get $pr) (i32.shl (local.get $hb) (i32.const 1))) (f64x2.sub (local.get $s0r) (local.get $s2r)))
        (v128.store (i32.add (local.get $pi) (i32.shl (local.get $hb) (i32.const 1))) (f64x2.sub (local.get $s0i) (local.get $s2i)))
        (v128.store (i32.add (local.get $pr) (local.get $hb)) (f64x2.add (local.get $s1r) (local.get $s3i)))
        (v128.store (i32.add (local.get $pi) (local.get $hb)) (f64x2.sub (local.get $s1i) (local.get $s3r)))
        (v128.store (i32.add (local.get $pr) (i32.mul (local.get $hb) (i32.const 3))) (f64x2.sub (local.get $s1r) (local.get $s3i)))
        (v128.store (i32.add (local.get $pi) (i32.mul (local.get $hb) (i32.const 3))) (f64x2.add (local.get $s1i) (local.get $s3r)))
        (local.set $t (i32.add (local.get $t) (local.get $span)))
        (br $inext)))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $knext))))

  ;; The last radix-2 stage when log2 m is odd (RealFftJs.radix2Stage): Z[k], Z[k + m/2] = A[k] +- w^k B[k].
  (func $radix2
    (local $k i32) (local $hb i32) (local $pr i32) (local $pi i32)
    (local $wr v128) (local $wi v128) (local $br v128) (local $bi v128) (local $tr v128) (local $ti v128)
    (local $ar v128) (local $ai v128)
    (local.set $hb (i32.shl (global.get $m) (i32.const 2)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (local.get $hb)))
      (local.set $wr (v128.load (i32.add (global.get $W2R) (local.get $k))))
      (local.set $wi (v128.load (i32.add (global.get $W2I) (local.get $k))))
      (local.set $pr (i32.add (global.get $ZR) (local.get $k)))
      (local.set $pi (i32.add (global.get $ZI) (local.get $k)))
      (local.set $br (v128.load (i32.add (local.get $pr) (local.get $hb))))
      (local.set $bi (v128.load (i32.add (local.get $pi) (local.get $hb))))
      (local.set $tr (f64x2.sub (f64x2.mul (local.get $br) (local.get $wr)) (f64x2.mul (local.get $bi) (local.get $wi))))
      (local.set $ti (f64x2.add (f64x2.mul (local.get $br) (local.get $wi)) (f64x2.mul (local.get $bi) (local.get $wr))))
      (local.set $ar (v128.load (local.get $pr)))
      (local.set $ai (v128.load (local.get $pi)))
      (v128.store (local.get $pr) (f64x2.add (local.get $ar) (local.get $tr)))
      (v128.store (local.get $pi) (f64x2.add (local.get $ai) (local.get $ti)))
      (v128.store (i32.add (local.get $pr) (local.get $hb)) (f64x2.sub (local.get $ar) (local.get $tr)))
      (v128.store (i32.add (local.get $pi) (local.get $hb)) (f64x2.sub (local.get $ai) (local.get $ti)))
      (local.set $k (i32.add (local.get $k) (i32.const 16)))
      (br $next))))

  ;; All stages: the fused load, the radix-4 stages (h = 4, 16, .. while 4h <= m), the radix-2 stage if needed.
  (func $complex
    (local $h i32) (local $tw i32)
    (call $load4)
    (local.set $h (i32.const 4))
    (local.set $tw (global.get $TW))
    (block $done (loop $next
      (br_if $done (i32.gt_u (i32.shl (local.get $h) (i32.const 2)) (global.get $m)))
      (call $radix4 (local.get $h) (local.get $tw))
      (local.set $tw (i32.add (local.get $tw) (i32.mul (local.get $h) (i32.const 48))))
      (local.set $h (i32.shl (local.get $h) (i32.const 2)))
      (br $next)))
    ;; the radix-4 stages covered a span of h points: m, or m/2 when log2 m is odd (then one radix-2 stage)
    (if (i32.eq (local.get $h) (i32.shr_u (global.get $m) (i32.const 1))) (then (call $radix2))))

  ;; Frame preparation in this kernel's memory, so the frame goes from the caller's float32 samples to the FFT input
  ;; without a JavaScript loop. Each value is the JavaScript's float64 expression (the lanes are two independent
  ;; IEEE-754 computations): bit-identical (test/audio-wasm.test.ts).
  ;; windowF32: X[lpad + j] = src[j] * win[j], j < n (src/audio/spectral.ts windowed); src float32, win float64.
  (func (export "windowF32") (param $src i32) (param $win i32) (param $n i32) (param $lpad i32)
    (local $j i32) (local $dst i32)
    (local.set $dst (i32.add (global.get $X) (i32.shl (local.get $lpad) (i32.const 3))))
    (block $done (loop $next
      (br_if $done (i32.ge_s (i32.add (local.get $j) (i32.const 1)) (local.get $n)))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3)))
        (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2)))))
          (v128.load (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3))))))
      (local.set $j (i32.add (local.get $j) (i32.const 2)))
      (br $next)))
    (if (i32.lt_s (local.get $j) (local.get $n))
      (then (f64.store (i32.add (local.get $dst) (i32.shl (local.get $j) (i32.const 3)))
        (f64.mul (f64.promote_f32 (f32.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2)))))
          (f64.load (i32.add (local.get $win) (i32.shl (local.get $j) (i32.const 3)))))))))

  ;; pitchFrame (src/audio/pitch.ts prepare): src holds the float32 samples c - reach .. c + reach of a frame centred
  ;; on c; mean = the sum of src[reach - P .. reach + P) in order, / 2P; X[j] = (src[reach - H + j] - mean) * win[j],
  ;; j < nw; returns the largest |X[j]|, j0 <= j <= j1 (0 when all are 0; NaN is passed over, as by the JavaScript's >).
  (func (export "pitchFrame") (param $src i32) (param $win i32) (param $reach i32) (param $P i32) (param $H i32)
        (param $nw i32) (param $j0 i32) (param $j1 i32) (result f64)
    (local $i i32) (local $end i32) (local $sum f64) (local $mean f64) (local $vm v128) (local $at i32) (local $peak v128)
    (local $a f64) (local $b f64)
    (local.set $i (i32.add (local.get $src) (i32.shl (i32.sub (local.get $reach) (local.get $P)) (i32.const 2))))
    (local.set $end (i32.add (local.get $src) (i32.shl (i32.add (local.get $reach) (local.get $P)) (i32.const 2))))
    (block $sdone (loop $snext
      (br_if $sdone (i32.ge_u (local.get $i) (local.get $end)))
      (local.set $sum (f64.add (local.get $sum) (f64.promote_f32 (f32.load (local.get $i)))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $snext)))
    (local.set $mean (f64.div (local.get $sum) (f64.convert_i32_s (i32.shl (local.get $P) (i32.const 1)))))
    (local.set $vm (f64x2.splat (local.get $mean)))
    (local.set $at (i32.add (local.get $src) (i32.shl (i32.sub (local.get $reach) (local.get $H)) (i32.const 2))))
    (local.set $i (i32.const 0))
    (block $wdone (loop $wnext
      (br_if $wdone (i32.ge_s (i32.add (local.get $i) (i32.const 1)) (local.get $nw)))
      (v128.store (i32.add (global.get $X) (i32.shl (local.get $i) (i32.const 3)))
        (f64x2.mul
          (f64x2.sub (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 2)))))
            (local.get $vm))
          (v128.load (i32.add (local.get $win) (i32.shl (local.get $i) (i32.const 3))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $wnext)))
    (if (i32.lt_s (local.get $i) (local.get $nw))
      (then (f64.store (i32.add (global.get $X) (i32.shl (local.get $i) (i32.const 3)))
        (f64.mul (f64.sub (f64.promote_f32 (f32.load (i32.add (local.get $at) (i32.shl (local.get $i) (i32.const 2)))))
          (local.get $mean)) (f64.load (i32.add (local.get $win) (i32.shl (local.get $i) (i32.const 3))))))))
    ;; the local peak: lane-wise max (pmax keeps the old value against NaN), then the two lanes
    (local.set $i (local.get $j0))
    (block $pdone (loop $pnext
      (br_if $pdone (i32.ge_s (local.get $i) (local.get $j1)))
      (local.set $peak (f64x2.pmax (local.get $peak)
        (f64x2.abs (v128.load (i32.add (global.get $X) (i32.shl (local.get $i) (i32.const 3)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 2)))
      (br $pnext)))
    (local.set $a (f64x2.extract_lane 0 (local.get $peak)))
    (local.set $b (f64x2.extract_lane 1 (local.get $peak)))
    (if (f64.gt (local.get $b) (local.get $a)) (then (local.set $a (local.get $b))))
    (if (i32.eq (local.get $i) (local.get $j1))
      (then
        (local.set $b (f64.abs (f64.load (i32.add (global.get $X) (i32.shl (local.get $i) (i32.const 3))))))
        (if (f64.gt (local.get $b) (local.get $a)) (then (local.set $a (local.get $b))))))
    (local.get $a))

  ;; Spectrum of x: lanes hold k, k+1 (k odd, 1 .. m/2 - 1) and m-k, m-k-1; the k values are stored before the m-k
  ;; ones, so at k = m/2 the second value wins, as in RealFftJs.realPostPass. Returns nothing; RE / IM hold X.
  (func $forward (export "forward")
    (local $k i32) (local $kb i32) (local $mkb i32)
    (local $er v128) (local $ei v128) (local $or v128) (local $oi v128) (local $tr v128) (local $ti v128)
    (call $complex)
    (f64.store (global.get $RE) (f64.add (f64.load (global.get $ZR)) (f64.load (global.get $ZI))))
    (f64.store (global.get $IM) (f64.const 0))
    (f64.store (i32.add (global.get $RE) (i32.shl (global.get $m) (i32.const 3))) (f64.sub (f64.load (global.get $ZR)) (f64.load (global.get $ZI))))
    (f64.store (i32.add (global.get $IM) (i32.shl (global.get $m) (i32.const 3))) (f64.const 0))
    (local.set $k (i32.const 1))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (i32.shr_u (global.get $m) (i32.const 1))))
      (call $eo (local.get $k))
      (local.set $ti) (local.set $tr) (local.set $ei) (local.set $er)
      (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
      (local.set $mkb (i32.shl (i32.sub (i32.sub (global.get $m) (local.get $k)) (i32.const 1)) (i32.const 3)))
      (v128.store (i32.add (global.get $RE) (local.get $kb)) (f64x2.add (local.get $er) (local.get $tr)))
      (v128.store (i32.add (global.get $IM) (local.get $kb)) (f64x2.add (local.get $ei) (local.get $ti)))
      (local.set $or (f64x2.sub (local.get $er) (local.get $tr)))
      (v128.store (i32.add (global.get $RE) (local.get $mkb)) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $or) (local.get $or)))
      (local.set $oi (f64x2.sub (local.get $ti) (local.get $ei)))
      (v128.store (i32.add (global.get $IM) (local.get $mkb)) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $oi) (local.get $oi)))
      (local.set $k (i32.add (local.get $k) (i32.const 2)))
      (br $next))))

  ;; Power spectrum |X[k]|^2 of x into dst (byte offset), k = 0 .. m (RealFftJs.realPostPassPower).
  (func (export "power") (param $dst i32)
    (local $k i32) (local $kb i32) (local $mkb i32) (local $x f64)
    (local $er v128) (local $ei v128) (local $tr v128) (local $ti v128) (local $a v128) (local $b v128)
    (call $complex)
    (local.set $x (f64.add (f64.load (global.get $ZR)) (f64.load (global.get $ZI))))
    (f64.store (local.get $dst) (f64.mul (local.get $x) (local.get $x)))
    (local.set $x (f64.sub (f64.load (global.get $ZR)) (f64.load (global.get $ZI))))
    (f64.store (i32.add (local.get $dst) (i32.shl (global.get $m) (i32.const 3))) (f64.mul (local.get $x) (local.get $x)))
    (local.set $k (i32.const 1))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $k) (i32.shr_u (global.get $m) (i32.const 1))))
      (call $eo (local.get $k))
      (local.set $ti) (local.set $tr) (local.set $ei) (local.set $er)
      (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
      (local.set $mkb (i32.shl (i32.sub (i32.sub (global.get $m) (local.get $k)) (i32.const 1)) (i32.const 3)))
      (local.set $a (f64x2.add (local.get $er) (local.get $tr))) ;; ar
      (local.set $b (f64x2.add (local.get $ei) (local.get $ti))) ;; ai
      (v128.store (i32.add (local.get $dst) (local.get $kb))
        (f64x2.add (f64x2.mul (local.get $a) (local.get $a)) (f64x2.mul (local.get $b) (local.get $b))))
      (local.set $a (f64x2.sub (local.get $er) (local.get $tr))) ;; br
      (local.set $b (f64x2.sub (local.get $ti) (local.get $ei))) ;; bi
      (local.set $a (f64x2.add (f64x2.mul (local.get $a) (local.get $a)) (f64x2.mul (local.get $b) (local.get $b))))
      (v128.store (i32.add (local.get $dst) (local.get $mkb)) (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))
      (local.set $k (i32.add (local.get $k) (i32.const 2)))
      (br $next))))

  ;; Post-pass terms of the pair k, k+1: E = (Z[k] + conj Z[m-k]) / 2, O = (Z[k] - conj Z[m-k]) / 2i, w^k O = (tr, ti).
  (func $eo (param $k i32) (result v128 v128 v128 v128)
    (local $kb i32) (local $mkb i32) (local $zrk v128) (local $zik v128) (local $zrm v128) (local $zim v128)
    (local $or v128) (local $oi v128) (local $c v128) (local $s v128)
    (local.set $kb (i32.shl (local.get $k) (i32.const 3)))
    (local.set $mkb (i32.shl (i32.sub (i32.sub (global.get $m) (local.get $k)) (i32.const 1)) (i32.const 3)))
    (local.set $zrk (v128.load (i32.add (global.get $ZR) (local.get $kb))))
    (local.set $zik (v128.load (i32.add (global.get $ZI) (local.get $kb))))
    (local.set $zrm (v128.load (i32.add (global.get $ZR) (local.get $mkb))))
    (local.set $zim (v128.load (i32.add (global.get $ZI) (local.get $mkb))))
    (local.set $zrm (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $zrm) (local.get $zrm)))
    (local.set $zim (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $zim) (local.get $zim)))
    (f64x2.mul (f64x2.splat (f64.const 0.5)) (f64x2.add (local.get $zrk) (local.get $zrm)))
    (f64x2.mul (f64x2.splat (f64.const 0.5)) (f64x2.sub (local.get $zik) (local.get $zim)))
    (local.set $or (f64x2.mul (f64x2.splat (f64.const 0.5)) (f64x2.add (local.get $zik) (local.get $zim))))
    (local.set $oi (f64x2.mul (f64x2.splat (f64.const -0.5)) (f64x2.sub (local.get $zrk) (local.get $zrm))))
    (local.set $c (v128.load (i32.add (global.get $PC) (local.get $kb))))
    (local.set $s (f64x2.neg (v128.load (i32.add (global.get $PS) (local.get $kb)))))
    (f64x2.sub (f64x2.mul (local.get $or) (local.get $c)) (f64x2.mul (local.get $oi) (local.get $s)))
    (f64x2.add (f64x2.mul (local.get $or) (local.get $s)) (f64x2.mul (local.get $oi) (local.get $c))))
)
