;; The JSONL frame records of a long recording (jsonl-spilled.ts), as jsonl.ts's jsonLineBytes writes them when
;; there is no clock, no voice, no sync beep and the deltas exist: the same keys, and each number as ByteSink.num /
;; ByteSink.time write it. numAt and decimalAt of src/audio/jsonl-bytes.ts are ported operation for operation (the
;; same float64 comparisons with the same tables, the same product a * 10^k, the same rounding (x + 0.5 truncated,
;; one less when m - 0.5 > x), the same trailing zeros dropped, the same digits); a time is Math.round(t * 1e6) as
;; the ECMAScript spec defines it (ceil, one less when ceil - 0.5 > x), printed as a decimal of 6 places. Every other
;; number (NaN, infinities, digits outside 1..9, a magnitude outside k = 1..24, a time past 2^31 us) is written by the
;; imported JavaScript (env.num / env.time: ByteSink itself), so the bytes are jsonLineBytes's
;; (test/audio-wasm.test.ts compares them). Why WebAssembly: the records were ~0.25 CPU s per 10 minutes of audio
;; across the two threads that format them, a good part of it TurboFan compiling their JavaScript in each thread.
;; Memory: POW10[0 .. 41] (f64) at byte 0 and NEG_POW10[0 .. 41] at 336 (written by the caller from format.ts's
;; tables), the digit pairs "00" .. "99" at 672 (written by the caller), the keys at 880 (below), the texts of numbers
;; left to the JavaScript at 1024 .. 50176 ($numFull); the arrays and the output where the caller put them.
(module
  (import "env" "memory" (memory 1))
  (import "env" "num" (func $fbNum (param i32 f64 i32) (result i32)))
  (import "env" "time" (func $fbTime (param i32 f64) (result i32)))
  (export "memory" (memory 0))
  (data (i32.const 880) "{\"t_s\":,\"mfcc\":,\"delta\":,\"delta2\":,\"f0_hz\":null,\"voiced\":true,\"voiced_prob\":,\"voiced\":false,\"voiced_prob\":,\"rms\":,\"rms_db\":,\"zcr\":}\0a")

  ;; Records of frames [from, to) at byte $out (room for 2048 bytes a record); the per-frame arrays hold frames from
  ;; $first: MFCC, delta, delta2 (f64, frame-major, k a frame), rms_db (f64), f0, voiced_prob, rms, zcr (f32).
  ;; Returns the end.
  (func (export "block") (param $from i32) (param $to i32) (param $first i32) (param $k i32) (param $digits i32)
        (param $hop f64) (param $rate f64) (param $mfcc i32) (param $delta i32) (param $delta2 i32) (param $rmsDb i32)
        (param $f0 i32) (param $vp i32) (param $rms i32) (param $zcr i32) (param $out i32) (result i32)
    (local $fi i32) (local $i i32) (local $p i32) (local $row i32) (local $f f64)
    (local.set $p (local.get $out))
    (local.set $fi (local.get $from))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $fi) (local.get $to)))
      (local.set $i (i32.sub (local.get $fi) (local.get $first)))
      (local.set $p (call $key (local.get $p) (i32.const 880) (i32.const 7)))
      (local.set $p (call $time (local.get $p)
        (f64.div (f64.mul (f64.convert_i32_s (local.get $fi)) (local.get $hop)) (local.get $rate))))
      (local.set $row (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 3)))
      (local.set $p (call $key (local.get $p) (i32.const 887) (i32.const 8)))
      (local.set $p (call $vec (local.get $p) (i32.add (local.get $mfcc) (local.get $row)) (local.get $k) (local.get $digits)))
      (local.set $p (call $key (local.get $p) (i32.const 895) (i32.const 9)))
      (local.set $p (call $vec (local.get $p) (i32.add (local.get $delta) (local.get $row)) (local.get $k) (local.get $digits)))
      (local.set $p (call $key (local.get $p) (i32.const 904) (i32.const 10)))
      (local.set $p (call $vec (local.get $p) (i32.add (local.get $delta2) (local.get $row)) (local.get $k) (local.get $digits)))
      (local.set $p (call $key (local.get $p) (i32.const 914) (i32.const 9)))
      (local.set $f (f64.promote_f32 (f32.load (i32.add (local.get $f0) (i32.shl (local.get $i) (i32.const 2))))))
      (if (f64.gt (local.get $f) (f64.const 0))
        (then
          (local.set $p (call $numFull (local.get $p) (local.get $f) (local.get $digits)))
          (local.set $p (call $key (local.get $p) (i32.const 927) (i32.const 29))))
        (else
          (local.set $p (call $key (local.get $p) (i32.const 923) (i32.const 4)))
          (local.set $p (call $key (local.get $p) (i32.const 956) (i32.const 30)))))
      (local.set $p (call $numFull (local.get $p)
        (f64.promote_f32 (f32.load (i32.add (local.get $vp) (i32.shl (local.get $i) (i32.const 2))))) (local.get $digits)))
      (local.set $p (call $key (local.get $p) (i32.const 986) (i32.const 7)))
      (local.set $p (call $numFull (local.get $p)
        (f64.promote_f32 (f32.load (i32.add (local.get $rms) (i32.shl (local.get $i) (i32.const 2))))) (local.get $digits)))
      (local.set $p (call $key (local.get $p) (i32.const 993) (i32.const 10)))
      (local.set $p (call $numFull (local.get $p)
        (f64.load (i32.add (local.get $rmsDb) (i32.shl (local.get $i) (i32.const 3)))) (local.get $digits)))
      (local.set $p (call $key (local.get $p) (i32.const 1003) (i32.const 7)))
      (local.set $p (call $numFull (local.get $p)
        (f64.promote_f32 (f32.load (i32.add (local.get $zcr) (i32.shl (local.get $i) (i32.const 2))))) (local.get $digits)))
      (local.set $p (call $key (local.get $p) (i32.const 1010) (i32.const 2)))
      (local.set $fi (i32.add (local.get $fi) (i32.const 1)))
      (br $next)))
    (local.get $p))

  ;; The n key bytes at $from copied to $p; returns the end.
  (func $key (param $p i32) (param $from i32) (param $n i32) (result i32)
    (local $j i32)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $n)))
      (i32.store8 (i32.add (local.get $p) (local.get $j)) (i32.load8_u (i32.add (local.get $from) (local.get $j))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))
    (i32.add (local.get $p) (local.get $n)))

  ;; "[" k values from byte $src (f64) "]" at $p (jsonl.ts vec); returns the end.
  (func $vec (param $p i32) (param $src i32) (param $k i32) (param $digits i32) (result i32)
    (local $j i32)
    (i32.store8 (local.get $p) (i32.const 91)) ;; '['
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $j) (local.get $k)))
      (if (local.get $j) (then
        (i32.store8 (local.get $p) (i32.const 44)) ;; ','
        (local.set $p (i32.add (local.get $p) (i32.const 1)))))
      (local.set $p (call $numFull (local.get $p) (f64.load (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 3)))) (local.get $digits)))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $next)))
    (i32.store8 (local.get $p) (i32.const 93)) ;; ']'
    (i32.add (local.get $p) (i32.const 1)))

  ;; ByteSink.num(v, digits): "0" for a zero (num() prints both zeros so), numAt's path, else the JavaScript's text,
  ;; remembered: ByteSink.num is a function of v's bits and digits alone, so the text of an earlier call with the same
  ;; ones is copied from a direct-mapped table of 1024 entries at byte 1024 (48 bytes each: v's bits, digits, the
  ;; text's length (0: empty entry), the text, up to 32 bytes). The deltas' rounding noise of digital silence
  ;; (1.972152e-31, 3.944305e-31, ...: a few values, ~19 000 numbers per 10 minutes of the bench's speech) went to
  ;; the JavaScript one call each, and made ByteSink.num one of the larger TurboFan jobs in both formatting threads.
  (func $numFull (param $p i32) (param $v f64) (param $digits i32) (result i32)
    (local $end i32) (local $e i32) (local $n i32) (local $bits i64)
    (if (f64.eq (local.get $v) (f64.const 0)) (then
      (i32.store8 (local.get $p) (i32.const 48))
      (return (i32.add (local.get $p) (i32.const 1)))))
    (local.set $end (call $num (local.get $p) (local.get $v) (local.get $digits)))
    (if (i32.ge_s (local.get $end) (i32.const 0)) (then (return (local.get $end))))
    (local.set $bits (i64.reinterpret_f64 (local.get $v)))
    ;; the entry: the top 10 bits of (high word ^ low word ^ digits) times the golden ratio's 2^32 fraction (with the top
    ;; 7 bits, 128 entries, some of the bench's 9 noise values shared an entry and pushed each other out: 1131 calls)
    (local.set $e (i32.add (i32.const 1024) (i32.mul (i32.const 48)
      (i32.shr_u (i32.mul (i32.xor (i32.xor (i32.wrap_i64 (i64.shr_u (local.get $bits) (i64.const 32)))
        (i32.wrap_i64 (local.get $bits))) (local.get $digits)) (i32.const 0x9E3779B1)) (i32.const 22)))))
    (local.set $n (i32.load offset=12 (local.get $e)))
    (if (i32.and (i32.ne (local.get $n) (i32.const 0))
          (i32.and (i64.eq (i64.load (local.get $e)) (local.get $bits)) (i32.eq (i32.load offset=8 (local.get $e)) (local.get $digits))))
      (then (return (call $key (local.get $p) (i32.add (local.get $e) (i32.const 16)) (local.get $n)))))
    (local.set $end (call $fbNum (local.get $p) (local.get $v) (local.get $digits)))
    (local.set $n (i32.sub (local.get $end) (local.get $p)))
    (if (i32.and (i32.gt_s (local.get $n) (i32.const 0)) (i32.le_s (local.get $n) (i32.const 32))) (then
      (i64.store (local.get $e) (local.get $bits))
      (i32.store offset=8 (local.get $e) (local.get $digits))
      (i32.store offset=12 (local.get $e) (local.get $n))
      (drop (call $key (i32.add (local.get $e) (i32.const 16)) (local.get $p) (local.get $n)))))
    (local.get $end))

  ;; ByteSink.time(t) for |t| < 1e9 s and a count of microseconds below 2^31, else the JavaScript.
  (func $time (param $p i32) (param $t f64) (result i32)
    (local $x f64) (local $us f64) (local $a f64)
    (if (i32.eqz (i32.and (f64.gt (local.get $t) (f64.const -1e9)) (f64.lt (local.get $t) (f64.const 1e9))))
      (then (return (call $fbTime (local.get $p) (local.get $t)))))
    (local.set $x (f64.mul (local.get $t) (f64.const 1e6)))
    ;; Math.round(x): the integer nearest x, the larger of two (ECMAScript); exact for |x| < 2^52
    (local.set $us (f64.ceil (local.get $x)))
    (if (f64.gt (f64.sub (local.get $us) (f64.const 0.5)) (local.get $x))
      (then (local.set $us (f64.sub (local.get $us) (f64.const 1)))))
    (if (f64.eq (local.get $us) (f64.const 0)) (then
      (i32.store8 (local.get $p) (i32.const 48))
      (return (i32.add (local.get $p) (i32.const 1)))))
    (local.set $a (f64.abs (local.get $us)))
    (if (i32.eqz (f64.lt (local.get $a) (f64.const 2147483648)))
      (then (return (call $fbTime (local.get $p) (local.get $t)))))
    (call $decimal (local.get $p) (f64.lt (local.get $us) (f64.const 0)) (i32.trunc_f64_s (local.get $a)) (i32.const 6)))

  ;; numAt: num(v, digits)'s text at byte $p on the integer-mantissa path; returns the end or -1 (nothing written).
  (func $num (param $p i32) (param $v f64) (param $digits i32) (result i32)
    (local $a f64) (local $x f64) (local $e i32) (local $k i32) (local $m i32)
    (if (i32.or (i32.le_s (local.get $digits) (i32.const 0)) (i32.gt_s (local.get $digits) (i32.const 9)))
      (then (return (i32.const -1))))
    (if (i32.eqz (i32.or (f64.gt (local.get $v) (f64.const 0)) (f64.lt (local.get $v) (f64.const 0))))
      (then (return (i32.const -1))))
    (local.set $a (f64.abs (local.get $v)))
    ;; the exponent: what exponent10's table loops give (while e < 40 && a >= POW10[e + 1]: e++; for a < 1, from 1,
    ;; while e < 40 && a < NEG_POW10[e]: e++, negated), found from a first guess by the binary exponent (floor of
    ;; |exponent| * 1233 / 4096, about log10 2) and the same comparisons stepping up and down: the tables are monotone,
    ;; so the steps end where the loops from the start end (the largest e <= 40 with POW10[e] <= a; the smallest
    ;; e in 1..40 with a >= NEG_POW10[e], or 40), in a step or two instead of up to 40 data-dependent ones.
    (local.set $e (i32.sub (i32.wrap_i64 (i64.shr_u (i64.reinterpret_f64 (local.get $a)) (i64.const 52))) (i32.const 1023)))
    (if (f64.ge (local.get $a) (f64.const 1))
      (then
        (local.set $e (i32.shr_u (i32.mul (local.get $e) (i32.const 1233)) (i32.const 12)))
        (if (i32.gt_s (local.get $e) (i32.const 40)) (then (local.set $e (i32.const 40))))
        (block $b (loop $l
          (br_if $b (i32.ge_s (local.get $e) (i32.const 40)))
          (br_if $b (i32.eqz (f64.ge (local.get $a) (f64.load offset=8 (i32.shl (local.get $e) (i32.const 3))))))
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (br $l)))
        (block $b (loop $l
          (br_if $b (i32.le_s (local.get $e) (i32.const 0)))
          (br_if $b (f64.ge (local.get $a) (f64.load (i32.shl (local.get $e) (i32.const 3)))))
          (local.set $e (i32.sub (local.get $e) (i32.const 1)))
          (br $l))))
      (else
        (local.set $e (i32.shr_u (i32.mul (i32.sub (i32.const 0) (local.get $e)) (i32.const 1233)) (i32.const 12)))
        (if (i32.lt_s (local.get $e) (i32.const 1)) (then (local.set $e (i32.const 1))))
        (if (i32.gt_s (local.get $e) (i32.const 40)) (then (local.set $e (i32.const 40))))
        (block $b (loop $l
          (br_if $b (i32.ge_s (local.get $e) (i32.const 40)))
          (br_if $b (i32.eqz (f64.lt (local.get $a) (f64.load offset=336 (i32.shl (local.get $e) (i32.const 3))))))
          (local.set $e (i32.add (local.get $e) (i32.const 1)))
          (br $l)))
        (block $b (loop $l
          (br_if $b (i32.le_s (local.get $e) (i32.const 1)))
          (br_if $b (i32.eqz (f64.ge (local.get $a) (f64.load offset=328 (i32.shl (local.get $e) (i32.const 3))))))
          (local.set $e (i32.sub (local.get $e) (i32.const 1)))
          (br $l)))
        (local.set $e (i32.sub (i32.const 0) (local.get $e)))))
    (local.set $k (i32.sub (i32.sub (local.get $digits) (i32.const 1)) (local.get $e)))
    (if (i32.or (i32.le_s (local.get $k) (i32.const 0)) (i32.gt_s (local.get $k) (i32.const 24)))
      (then (return (i32.const -1))))
    (local.set $x (f64.mul (local.get $a) (f64.load (i32.shl (local.get $k) (i32.const 3)))))
    ;; (x < 10^digits <= 10^9 here; the guard keeps the truncation from trapping whatever the tables hold)
    (if (i32.eqz (f64.lt (local.get $x) (f64.const 2147483647))) (then (return (i32.const -1))))
    (local.set $m (i32.trunc_f64_s (f64.add (local.get $x) (f64.const 0.5))))
    (if (f64.gt (f64.sub (f64.convert_i32_s (local.get $m)) (f64.const 0.5)) (local.get $x))
      (then (local.set $m (i32.sub (local.get $m) (i32.const 1)))))
    (if (i32.eqz (local.get $m)) (then
      (i32.store8 (local.get $p) (i32.const 48))
      (return (i32.add (local.get $p) (i32.const 1)))))
    (call $decimal (local.get $p) (f64.lt (local.get $v) (f64.const 0)) (local.get $m) (local.get $k)))

  ;; decimalAt: m * 10^-dec (0 < m < 2^31) at byte $p, trailing zeros dropped, "0." when needed; returns the end.
  (func $decimal (param $p i32) (param $neg i32) (param $m i32) (param $dec i32) (result i32)
    (local $q i32) (local $nd i32) (local $end i32) (local $i i32) (local $c i32) (local $z i32)
    (block $b (loop $l
      (br_if $b (i32.le_s (local.get $dec) (i32.const 0)))
      (local.set $q (i32.div_u (local.get $m) (i32.const 10)))
      (br_if $b (i32.ne (local.get $m) (i32.mul (local.get $q) (i32.const 10))))
      (local.set $m (local.get $q))
      (local.set $dec (i32.sub (local.get $dec) (i32.const 1)))
      (br $l)))
    ;; nd: the digits of m (1 .. 10), counted without branches
    (local.set $nd (i32.add (i32.const 1) (i32.add (i32.add (i32.add (i32.ge_u (local.get $m) (i32.const 10))
      (i32.ge_u (local.get $m) (i32.const 100))) (i32.add (i32.ge_u (local.get $m) (i32.const 1000))
      (i32.ge_u (local.get $m) (i32.const 10000)))) (i32.add (i32.add (i32.ge_u (local.get $m) (i32.const 100000))
      (i32.ge_u (local.get $m) (i32.const 1000000))) (i32.add (i32.add (i32.ge_u (local.get $m) (i32.const 10000000))
      (i32.ge_u (local.get $m) (i32.const 100000000))) (i32.ge_u (local.get $m) (i32.const 1000000000)))))))
    (if (local.get $neg) (then
      (i32.store8 (local.get $p) (i32.const 45)) ;; '-'
      (local.set $p (i32.add (local.get $p) (i32.const 1)))))
    (local.set $end
      (if (result i32) (i32.ge_s (local.get $dec) (local.get $nd))
        (then (i32.add (i32.add (local.get $p) (i32.const 2)) (local.get $dec)))
        (else (i32.add (i32.add (local.get $p) (local.get $nd)) (i32.gt_s (local.get $dec) (i32.const 0))))))
    (local.set $i (local.get $end))
    ;; the decimals that are digits of m (the lowest min(dec, nd)), two at a time from the pair table
    (local.set $c (select (local.get $dec) (local.get $nd) (i32.lt_s (local.get $dec) (local.get $nd))))
    (local.set $m (call $pairs (local.get $m) (local.get $c) (local.get $i)))
    (local.set $i (i32.sub (local.get $i) (i32.and (local.get $c) (i32.const -2))))
    (if (i32.and (local.get $c) (i32.const 1)) (then
      (local.set $q (i32.div_u (local.get $m) (i32.const 10)))
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i) (i32.add (i32.const 48) (i32.sub (local.get $m) (i32.mul (local.get $q) (i32.const 10)))))
      (local.set $m (local.get $q))))
    (if (i32.ge_s (local.get $dec) (local.get $nd)) (then
      ;; leading zeros, then "0."
      (local.set $z (local.get $nd))
      (block $b (loop $l
        (br_if $b (i32.ge_s (local.get $z) (local.get $dec)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (i32.store8 (local.get $i) (i32.const 48))
        (local.set $z (i32.add (local.get $z) (i32.const 1)))
        (br $l)))
      (i32.store8 (i32.sub (local.get $i) (i32.const 1)) (i32.const 46)) ;; '.'
      (i32.store8 (i32.sub (local.get $i) (i32.const 2)) (i32.const 48)) ;; '0'
      (return (local.get $end))))
    (if (i32.gt_s (local.get $dec) (i32.const 0)) (then
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (i32.store8 (local.get $i) (i32.const 46)))) ;; '.'
    ;; the integer digits
    (local.set $c (i32.sub (local.get $nd) (local.get $dec)))
    (local.set $m (call $pairs (local.get $m) (local.get $c) (local.get $i)))
    (local.set $i (i32.sub (local.get $i) (i32.and (local.get $c) (i32.const -2))))
    (if (i32.and (local.get $c) (i32.const 1)) (then
      (i32.store8 (i32.sub (local.get $i) (i32.const 1)) (i32.add (i32.const 48) (local.get $m)))))
    (local.get $end))

  ;; The lowest 2 floor(c / 2) digits of m written two at a time ending before byte $i; returns m without them.
  (func $pairs (param $m i32) (param $c i32) (param $i i32) (result i32)
    (local $q i32)
    (block $b (loop $l
      (br_if $b (i32.lt_s (local.get $c) (i32.const 2)))
      (local.set $q (i32.div_u (local.get $m) (i32.const 100)))
      (local.set $i (i32.sub (local.get $i) (i32.const 2)))
      (i32.store16 (local.get $i)
        (i32.load16_u offset=672 (i32.shl (i32.sub (local.get $m) (i32.mul (local.get $q) (i32.const 100))) (i32.const 1))))
      (local.set $m (local.get $q))
      (local.set $c (i32.sub (local.get $c) (i32.const 2)))
      (br $l)))
    (local.get $m))
)
