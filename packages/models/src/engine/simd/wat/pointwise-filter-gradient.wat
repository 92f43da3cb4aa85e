;; Filter gradient of a 1x1 stride-1 convolution as a GEMM on the tfjs wasm backend's heap
;; (whose memory it imports):  out[ci][co] = Σ_p x[p][ci] · dy[p][co]
;; x [pixels][ci], dy [pixels][co] float32; out [ci][co] float64. For ci % 4 = 0 and co % 8 = 0
;; (the caller checks). Register tiles of 4 input × 8 output channels (8 f32x4 accumulators) run
;; over chunks of 1024 pixels (whose x and dy rows stay in cache across the tiles); each chunk's
;; float32 tile sums are added into the float64 out.
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
    (param $x i32) (param $dy i32) (param $pixels i32) (param $ci i32) (param $co i32) (param $out i32)
    (local $p0 i32) (local $n i32) (local $r i32) (local $q i32) (local $k i32)
    (local $xp i32) (local $dp i32) (local $ciB i32) (local $coB i32) (local $o i32)
    (local $d0 v128) (local $d1 v128) (local $s v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $ciB (i32.shl (local.get $ci) (i32.const 2)))
    (local.set $coB (i32.shl (local.get $co) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (i32.mul (local.get $ci) (local.get $co)) (i32.const 3)))
    (block $pd (loop $pl
      (br_if $pd (i32.ge_u (local.get $p0) (local.get $pixels)))
      ;; n = pixels in this chunk
      (local.set $n (i32.sub (local.get $pixels) (local.get $p0)))
      (if (i32.gt_u (local.get $n) (i32.const 1024)) (then (local.set $n (i32.const 1024))))
      (local.set $r (i32.const 0))
      (block $rd (loop $rl
        (br_if $rd (i32.ge_u (local.get $r) (local.get $ci)))
        (local.set $q (i32.const 0))
        (block $qd (loop $ql
          (br_if $qd (i32.ge_u (local.get $q) (local.get $co)))
          (local.set $a00 (v128.const i32x4 0 0 0 0)) (local.set $a01 (v128.const i32x4 0 0 0 0))
          (local.set $a10 (v128.const i32x4 0 0 0 0)) (local.set $a11 (v128.const i32x4 0 0 0 0))
          (local.set $a20 (v128.const i32x4 0 0 0 0)) (local.set $a21 (v128.const i32x4 0 0 0 0))
          (local.set $a30 (v128.const i32x4 0 0 0 0)) (local.set $a31 (v128.const i32x4 0 0 0 0))
          (local.set $xp (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $ci)) (local.get $r)) (i32.const 2))))
          (local.set $dp (i32.add (local.get $dy) (i32.shl (i32.add (i32.mul (local.get $p0) (local.get $co)) (local.get $q)) (i32.const 2))))
          (local.set $k (local.get $n))
          (loop $kl
            (local.set $d0 (v128.load (local.get $dp)))
            (local.set $d1 (v128.load offset=16 (local.get $dp)))
            (local.set $s (v128.load32_splat (local.get $xp)))
            (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat offset=4 (local.get $xp)))
            (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat offset=8 (local.get $xp)))
            (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat offset=12 (local.get $xp)))
            (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $xp (i32.add (local.get $xp) (local.get $ciB)))
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
      (local.set $p0 (i32.add (local.get $p0) (local.get $n)))
      (br $pl))))
)
