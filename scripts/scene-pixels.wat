;; The two whole-frame loops of scripts/make-sync-scenes.mjs's renderVideo, in WebAssembly with 128-bit SIMD: the
;; exposure gain on every value of the float frame, and the clip of the float frame to bytes. The same results, bit for
;; bit, as the JavaScript loops they replace (the rendered cases are byte-identical, `diff -r`):
;; - gain: JavaScript's `fl[i] *= gain` on a Float32Array reads the float32 as a double, multiplies by the double
;;   gain (rounded to double) and stores the product rounded to float32 (round to nearest, ties to even): here
;;   f64x2.promote_low_f32x4, f64x2.mul, f32x4.demote_f64x2_zero, the same IEEE 754 operations.
;; - clip: `v < 0 ? 0 : v > 255 ? 255 : v | 0` (NaN to 0): truncation toward zero, saturated: i32x4.trunc_sat_f32x4_s
;;   (NaN to 0), then signed saturation to i16 and unsigned saturation to u8 (negatives to 0, over 255 to 255).
;; Memory: the float frame (n float32) at byte offset $p / $src, the bytes (n u8) at $dst. Sizes need not be
;; multiples of 4 or 16: the rest is done one value at a time.
(module
  (memory (export "memory") 1)

  (func (export "gain") (param $p i32) (param $n i32) (param $g f64)
    (local $end i32) (local $stop i32) (local $gv v128) (local $v v128)
    (local.set $gv (f64x2.splat (local.get $g)))
    (local.set $end (i32.add (local.get $p) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $stop (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $p) (local.get $stop)))
      (local.set $v (v128.load (local.get $p)))
      (v128.store (local.get $p)
        (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
          (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (local.get $v)) (local.get $gv)))
          (f32x4.demote_f64x2_zero (f64x2.mul
            (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v)))
            (local.get $gv)))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $next)))
    (block $done1 (loop $next1
      (br_if $done1 (i32.ge_u (local.get $p) (local.get $end)))
      (f32.store (local.get $p) (f32.demote_f64 (f64.mul (f64.promote_f32 (f32.load (local.get $p))) (local.get $g))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $next1))))

  (func (export "clip") (param $src i32) (param $dst i32) (param $n i32)
    (local $end i32) (local $stop i32) (local $x i32)
    (local.set $end (i32.add (local.get $dst) (local.get $n)))
    (local.set $stop (i32.add (local.get $dst) (i32.and (local.get $n) (i32.const -16))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $dst) (local.get $stop)))
      (v128.store (local.get $dst)
        (i8x16.narrow_i16x8_u
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (v128.load (local.get $src)))
            (i32x4.trunc_sat_f32x4_s (v128.load offset=16 (local.get $src))))
          (i16x8.narrow_i32x4_s
            (i32x4.trunc_sat_f32x4_s (v128.load offset=32 (local.get $src)))
            (i32x4.trunc_sat_f32x4_s (v128.load offset=48 (local.get $src))))))
      (local.set $src (i32.add (local.get $src) (i32.const 64)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $next)))
    (block $done1 (loop $next1
      (br_if $done1 (i32.ge_u (local.get $dst) (local.get $end)))
      (local.set $x (i32.trunc_sat_f32_s (f32.load (local.get $src))))
      (i32.store8 (local.get $dst)
        (select (i32.const 0) (select (i32.const 255) (local.get $x) (i32.gt_s (local.get $x) (i32.const 255))) (i32.lt_s (local.get $x) (i32.const 0))))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
      (br $next1))))
)
