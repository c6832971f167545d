;; A WAV's 16-bit samples to float32 (src/media/wav-direct.ts readWavSamples): x (1 / 32768), as ffmpeg's
;; libswresample converts s16 to float. Exact in float32 either way (a 16-bit integer times a power of two), so the
;; same bits as the JavaScript loop (s16ToFloatJs), 8 samples per step (test/audio-wasm.test.ts).
;; Memory: n int16 at $src, n float32 at $dst.
(module
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))

  (func (export "toFloat") (param $src i32) (param $dst i32) (param $n i32)
    (local $i i32) (local $v v128) (local $scale v128)
    (local.set $scale (f32x4.splat (f32.const 0x1p-15)))
    (block $wideDone (loop $wide
      (br_if $wideDone (i32.gt_s (i32.add (local.get $i) (i32.const 8)) (local.get $n)))
      (local.set $v (v128.load (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 1)))))
      (v128.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
        (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_low_i16x8_s (local.get $v))) (local.get $scale)))
      (v128.store (i32.add (local.get $dst) (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 16)))
        (f32x4.mul (f32x4.convert_i32x4_s (i32x4.extend_high_i16x8_s (local.get $v))) (local.get $scale)))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $wide)))
    (block $done (loop $one
      (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
      (f32.store (i32.add (local.get $dst) (i32.shl (local.get $i) (i32.const 2)))
        (f32.mul (f32.convert_i32_s (i32.load16_s (i32.add (local.get $src) (i32.shl (local.get $i) (i32.const 1))))) (f32.const 0x1p-15)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $one)))
  )
)
