;; The beep detector's 2 ms block sums (src/sync/tone/tone-demod.ts blockSumsTable) in WebAssembly: per block of B
;; samples, the single-bin DFT at the tone frequency (re, im) from the oscillator's periodic table and the energy.
;; The same float64 operations in the same order as the JavaScript: re += v c[k], im -= v s[k] (here im + v (-s[k]),
;; the same value: x - y is x + (-y) in IEEE 754 and v (-s) is -(v s)), en += v v, k stepped through the period.
;; (re, im) are the two lanes of one vector. Bit-identical (test/tone-arrays.test.ts).
;; Memory: the samples (f32) at $x, the table of (c[k], -s[k]) pairs (f64, 16 bytes each) at $tab, and the three
;; output arrays (f64, nb each) at $re, $im, $en.
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))

  (func (export "blocks") (param $x i32) (param $nb i32) (param $B i32) (param $k0 i32) (param $P i32) (param $tab i32)
        (param $re i32) (param $im i32) (param $en i32)
    (local $b i32) (local $j i32) (local $k i32) (local $p i32) (local $o i32)
    (local $acc v128) (local $e f64) (local $v f64)
    (local.set $k (local.get $k0))
    (local.set $p (local.get $x))
    (block $blocksDone (loop $block
      (br_if $blocksDone (i32.ge_s (local.get $b) (local.get $nb)))
      (local.set $acc (v128.const i64x2 0 0))
      (local.set $e (f64.const 0))
      (local.set $j (i32.const 0))
      (block $samplesDone (loop $sample
        (br_if $samplesDone (i32.ge_s (local.get $j) (local.get $B)))
        (local.set $v (f64.promote_f32 (f32.load (local.get $p))))
        (local.set $acc (f64x2.add (local.get $acc)
          (f64x2.mul (f64x2.splat (local.get $v)) (v128.load (i32.add (local.get $tab) (i32.shl (local.get $k) (i32.const 4)))))))
        (local.set $e (f64.add (local.get $e) (f64.mul (local.get $v) (local.get $v))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (if (i32.eq (local.get $k) (local.get $P)) (then (local.set $k (i32.const 0))))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sample)))
      (local.set $o (i32.shl (local.get $b) (i32.const 3)))
      (f64.store (i32.add (local.get $re) (local.get $o)) (f64x2.extract_lane 0 (local.get $acc)))
      (f64.store (i32.add (local.get $im) (local.get $o)) (f64x2.extract_lane 1 (local.get $acc)))
      (f64.store (i32.add (local.get $en) (local.get $o)) (local.get $e))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $block)))
  )
)
