;; Filter gradient of a KH×KW convolution (any stride) as an implicit GEMM on the tfjs wasm
;; backend's heap (whose memory it imports):
;;   out[r][co] = Σ_p xp[bases[p] + offsets[r]] · dy[p][co],  r = (a, b, ci) in [kh][kw][C] order
;; xp is the zero-PADDED NHWC input (the caller pads), bases[p] the byte address of output pixel
;; p's window (conv2d.wat's `bases`), offsets[r] the byte offset of tap r in a window; dy
;; [pixels][co] float32, out [m][co] float64 with m % 4 = 0 (the caller pads the rows with offset 0
;; and drops them), co % 8 = 0. Register tiles of 4 taps × 8 output channels (8 f32x4
;; accumulators) run over chunks of `chunk` pixels (whose windows and dy rows stay in cache
;; across the tiles); each chunk's float32 tile sums are added into the float64 out.
(module
  (import "env" "memory" (memory 1))

  ;; out[0..3] += a (float32 lanes into float64), out[4..7] += b.
  (func $flush8 (param $a v128) (param $b v128) (param $o i32)
    (v128.store (local.get $o) (f64x2.add (v128.load (local.get $o)) (f64x2.promote_low_f32x4 (local.get $a))))
    (v128.store offset=16 (local.get $o) (f64x2.add (v128.load offset=16 (local.get $o))
      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $a) (local.get $a)))))
    (v128.store offset=32 (local.get $o) (f64x2.add (v128.load offset=32 (local.get $o)) (f64x2.promote_low_f32x4 (local.get $b))))
    (v128.store offset=48 (local.get $o) (f64x2.add (v128.load offset=48 (local.get $o))
      (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $b) (local.get $b))))))

  (func (export "filterGrad")
    (param $bases i32) (param $offsets i32) (param $dy i32) (param $pixels i32) (param $m i32) (param $co i32)
    (param $out i32) (param $chunk i32)
    (local $p0 i32) (local $cnt i32) (local $r i32) (local $q i32) (local $k i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32) (local $base i32)
    (local $bp i32) (local $dp i32) (local $coB i32) (local $o i32)
    (local $d0 v128) (local $d1 v128) (local $s v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $coB (i32.shl (local.get $co) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (i32.mul (local.get $m) (local.get $co)) (i32.const 3)))
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p0) (local.get $pixels)))
      (local.set $cnt (i32.sub (local.get $pixels) (local.get $p0)))
      (if (i32.gt_u (local.get $cnt) (local.get $chunk)) (then (local.set $cnt (local.get $chunk))))
      (local.set $r (i32.const 0))
      (block $rd (loop $rl
        (br_if $rd (i32.ge_u (local.get $r) (local.get $m)))
        (local.set $o0 (i32.load (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $o1 (i32.load offset=4 (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $o2 (i32.load offset=8 (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $o3 (i32.load offset=12 (i32.add (local.get $offsets) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $q (i32.const 0))
        (block $qd (loop $ql
          (br_if $qd (i32.ge_u (local.get $q) (local.get $co)))
          (local.set $a00 (v128.const i32x4 0 0 0 0)) (local.set $a01 (v128.const i32x4 0 0 0 0))
          (local.set $a10 (v128.const i32x4 0 0 0 0)) (local.set $a11 (v128.const i32x4 0 0 0 0))
          (local.set $a20 (v128.const i32x4 0 0 0 0)) (local.set $a21 (v128.const i32x4 0 0 0 0))
          (local.set $a30 (v128.const i32x4 0 0 0 0)) (local.set $a31 (v128.const i32x4 0 0 0 0))
          (local.set $bp (i32.add (local.get $bases) (i32.shl (local.get $p0) (i32.const 2))))
          (local.set $dp (i32.add (local.get $dy) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $co)) (local.get $q)) (i32.const 2))))
          (local.set $k (local.get $cnt))
          (loop $kl
            (local.set $base (i32.load (local.get $bp)))
            (local.set $d0 (v128.load (local.get $dp)))
            (local.set $d1 (v128.load offset=16 (local.get $dp)))
            (local.set $s (v128.load32_splat (i32.add (local.get $base) (local.get $o0))))
            (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $base) (local.get $o1))))
            (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $base) (local.get $o2))))
            (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat (i32.add (local.get $base) (local.get $o3))))
            (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $bp (i32.add (local.get $bp) (i32.const 4)))
            (local.set $dp (i32.add (local.get $dp) (local.get $coB)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br_if $kl (local.get $k)))
          ;; out row r+i starts at out + ((r+i)·co + q)·8
          (local.set $o (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $r) (local.get $co)) (local.get $q)) (i32.const 3))))
          (call $flush8 (local.get $a00) (local.get $a01) (local.get $o))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $coB) (i32.const 1))))
          (call $flush8 (local.get $a10) (local.get $a11) (local.get $o))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $coB) (i32.const 1))))
          (call $flush8 (local.get $a20) (local.get $a21) (local.get $o))
          (local.set $o (i32.add (local.get $o) (i32.shl (local.get $coB) (i32.const 1))))
          (call $flush8 (local.get $a30) (local.get $a31) (local.get $o))
          (local.set $q (i32.add (local.get $q) (i32.const 8)))
          (br $ql)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rl)))
      (local.set $p0 (i32.add (local.get $p0) (local.get $cnt)))
      (br $pl))))
)
