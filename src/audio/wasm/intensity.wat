;; Four frames of Praat's intensity contour (Sound_to_Intensity.cpp) at once, as src/audio/intensity.ts's quad()
;; does them, in WebAssembly with 128-bit SIMD: frames a, b in the lanes of one vector, c, d in another. Per frame
;; the same float64 operations in the same order as the JavaScript: the sum of the W samples in order, mean = sum /
;; W, then the sum in order of (x - mean)^2 w[i] (as (d * d) * w). Bit-identical (test/audio-wasm.test.ts).
;; Memory: the window w[0 .. W) (f64) at byte offset $w, the samples (f32) at $x, the four sums written at $out.
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))

  ;; a, b, c, d: first sample of each frame (element index from $x).
  (func (export "quad") (param $x i32) (param $a i32) (param $b i32) (param $c i32) (param $d i32) (param $W i32)
        (param $w i32) (param $out i32)
    (local $i i32) (local $o i32) (local $pa i32) (local $pb i32) (local $pc i32) (local $pd i32)
    (local $sab v128) (local $scd v128) (local $mab v128) (local $mcd v128) (local $wi v128) (local $v v128)
    (local.set $pa (i32.add (local.get $x) (i32.shl (local.get $a) (i32.const 2))))
    (local.set $pb (i32.add (local.get $x) (i32.shl (local.get $b) (i32.const 2))))
    (local.set $pc (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
    (local.set $pd (i32.add (local.get $x) (i32.shl (local.get $d) (i32.const 2))))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $i) (local.get $W)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $sab (f64x2.add (local.get $sab) (f64x2.replace_lane 1 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $pa) (local.get $o)))))
        (f64.promote_f32 (f32.load (i32.add (local.get $pb) (local.get $o)))))))
      (local.set $scd (f64x2.add (local.get $scd) (f64x2.replace_lane 1 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $pc) (local.get $o)))))
        (f64.promote_f32 (f32.load (i32.add (local.get $pd) (local.get $o)))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.set $v (f64x2.splat (f64.convert_i32_s (local.get $W))))
    (local.set $mab (f64x2.div (local.get $sab) (local.get $v)))
    (local.set $mcd (f64x2.div (local.get $scd) (local.get $v)))
    (local.set $sab (v128.const i64x2 0 0))
    (local.set $scd (v128.const i64x2 0 0))
    (local.set $i (i32.const 0))
    (block $done2 (loop $next2
      (br_if $done2 (i32.ge_s (local.get $i) (local.get $W)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $wi (v128.load64_splat (i32.add (local.get $w) (i32.shl (local.get $i) (i32.const 3)))))
      (local.set $v (f64x2.sub (f64x2.replace_lane 1 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $pa) (local.get $o)))))
        (f64.promote_f32 (f32.load (i32.add (local.get $pb) (local.get $o))))) (local.get $mab)))
      (local.set $sab (f64x2.add (local.get $sab) (f64x2.mul (f64x2.mul (local.get $v) (local.get $v)) (local.get $wi))))
      (local.set $v (f64x2.sub (f64x2.replace_lane 1 (f64x2.splat (f64.promote_f32 (f32.load (i32.add (local.get $pc) (local.get $o)))))
        (f64.promote_f32 (f32.load (i32.add (local.get $pd) (local.get $o))))) (local.get $mcd)))
      (local.set $scd (f64x2.add (local.get $scd) (f64x2.mul (f64x2.mul (local.get $v) (local.get $v)) (local.get $wi))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next2)))
    (v128.store (local.get $out) (local.get $sab))
    (v128.store offset=16 (local.get $out) (local.get $scd)))

)
