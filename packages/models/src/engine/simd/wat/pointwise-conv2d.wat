;; A 1x1 stride-1 convolution (forward) as a GEMM on the tfjs wasm backend's heap (whose memory
;; it imports), with the fused bias and activation of FusedConv2D:
;;   y[p][n] = act(Σ_k x[p][k] · w[k][n] + bias[n])
;; x [rows][k], w [k][n], y rows of ldy ≥ n floats (the n columns may be a slice of a wider
;; tensor: a concatenation written in place) float32; bias [n] or 0 for none; mode 0 linear, 1 relu6,
;; 2 leakyrelu (slope). For rows % 4 = 0 and n % 8 = 0 (the caller checks). Register tiles of
;; 4 rows × 8 columns (8 f32x4 accumulators, sums over k in float32 like XNNPACK); blocks of 64
;; rows run over every column panel, so the x block and a [k][8] panel of w stay in cache.
(module
  (import "env" "memory" (memory 1))

  ;; #include shared/activation.wat

  ;; y[row][0..7] = act(a + bias[0..3], b + bias[4..7]) at address o.
  (func $store8 (param $a v128) (param $b v128) (param $bias0 v128) (param $bias1 v128) (param $o i32) (param $mode i32) (param $slope v128)
    (v128.store (local.get $o) (call $act (f32x4.add (local.get $a) (local.get $bias0)) (local.get $mode) (local.get $slope)))
    (v128.store offset=16 (local.get $o) (call $act (f32x4.add (local.get $b) (local.get $bias1)) (local.get $mode) (local.get $slope))))

  (func $conv (export "conv")
    (param $x i32) (param $w i32) (param $bias i32) (param $y i32) (param $rows i32) (param $k i32) (param $n i32)
    (param $ldy i32) (param $mode i32) (param $slope f32)
    (local $p0 i32) (local $pEnd i32) (local $p i32) (local $q i32) (local $kk i32)
    (local $x0 i32) (local $x1 i32) (local $x2 i32) (local $x3 i32) (local $wp i32) (local $o i32)
    (local $kB i32) (local $nB i32) (local $yB i32) (local $slopeV v128) (local $b0 v128) (local $b1 v128)
    (local $d0 v128) (local $d1 v128) (local $s v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $kB (i32.shl (local.get $k) (i32.const 2)))
    (local.set $nB (i32.shl (local.get $n) (i32.const 2)))
    (local.set $yB (i32.shl (local.get $ldy) (i32.const 2)))
    (local.set $slopeV (f32x4.splat (local.get $slope)))
    (block $bd (loop $bl
      (br_if $bd (i32.ge_u (local.get $p0) (local.get $rows)))
      (local.set $pEnd (i32.add (local.get $p0) (i32.const 64)))
      (if (i32.gt_u (local.get $pEnd) (local.get $rows)) (then (local.set $pEnd (local.get $rows))))
      (local.set $q (i32.const 0))
      (block $qd (loop $ql
        (br_if $qd (i32.ge_u (local.get $q) (local.get $n)))
        (if (local.get $bias)
          (then
            (local.set $b0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $q) (i32.const 2)))))
            (local.set $b1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $q) (i32.const 2))))))
          (else (local.set $b0 (v128.const i32x4 0 0 0 0)) (local.set $b1 (v128.const i32x4 0 0 0 0))))
        (local.set $p (local.get $p0))
        (block $pd (loop $pl
          (br_if $pd (i32.ge_u (local.get $p) (local.get $pEnd)))
          (local.set $a00 (v128.const i32x4 0 0 0 0)) (local.set $a01 (v128.const i32x4 0 0 0 0))
          (local.set $a10 (v128.const i32x4 0 0 0 0)) (local.set $a11 (v128.const i32x4 0 0 0 0))
          (local.set $a20 (v128.const i32x4 0 0 0 0)) (local.set $a21 (v128.const i32x4 0 0 0 0))
          (local.set $a30 (v128.const i32x4 0 0 0 0)) (local.set $a31 (v128.const i32x4 0 0 0 0))
          (local.set $x0 (i32.add (local.get $x) (i32.mul (local.get $p) (local.get $kB))))
          (local.set $x1 (i32.add (local.get $x0) (local.get $kB)))
          (local.set $x2 (i32.add (local.get $x1) (local.get $kB)))
          (local.set $x3 (i32.add (local.get $x2) (local.get $kB)))
          (local.set $wp (i32.add (local.get $w) (i32.shl (local.get $q) (i32.const 2))))
          (local.set $kk (local.get $k))
          (block $kd (loop $kl
            (br_if $kd (i32.eqz (local.get $kk)))
            (local.set $d0 (v128.load (local.get $wp)))
            (local.set $d1 (v128.load offset=16 (local.get $wp)))
            (local.set $s (v128.load32_splat (local.get $x0)))
            (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat (local.get $x1)))
            (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat (local.get $x2)))
            (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $s (v128.load32_splat (local.get $x3)))
            (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $s) (local.get $d0))))
            (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $s) (local.get $d1))))
            (local.set $x0 (i32.add (local.get $x0) (i32.const 4)))
            (local.set $x1 (i32.add (local.get $x1) (i32.const 4)))
            (local.set $x2 (i32.add (local.get $x2) (i32.const 4)))
            (local.set $x3 (i32.add (local.get $x3) (i32.const 4)))
            (local.set $wp (i32.add (local.get $wp) (local.get $nB)))
            (local.set $kk (i32.sub (local.get $kk) (i32.const 1)))
            (br $kl)))
          (local.set $o (i32.add (local.get $y) (i32.add (i32.mul (local.get $p) (local.get $yB)) (i32.shl (local.get $q) (i32.const 2)))))
          (call $store8 (local.get $a00) (local.get $a01) (local.get $b0) (local.get $b1) (local.get $o) (local.get $mode) (local.get $slopeV))
          (local.set $o (i32.add (local.get $o) (local.get $yB)))
          (call $store8 (local.get $a10) (local.get $a11) (local.get $b0) (local.get $b1) (local.get $o) (local.get $mode) (local.get $slopeV))
          (local.set $o (i32.add (local.get $o) (local.get $yB)))
          (call $store8 (local.get $a20) (local.get $a21) (local.get $b0) (local.get $b1) (local.get $o) (local.get $mode) (local.get $slopeV))
          (local.set $o (i32.add (local.get $o) (local.get $yB)))
          (call $store8 (local.get $a30) (local.get $a31) (local.get $b0) (local.get $b1) (local.get $o) (local.get $mode) (local.get $slopeV))
          (local.set $p (i32.add (local.get $p) (i32.const 4)))
          (br $pl)))
        (local.set $q (i32.add (local.get $q) (i32.const 8)))
        (br $ql)))
      (local.set $p0 (local.get $pEnd))
      (br $bl))))

  ;; `count` independent GEMMs (no bias, linear): y_i = x_i · w_i with x_i = x + i·xStride etc.
  ;; (Winograd's 16 products, one per transform position; a thread takes a range of them).
  (func (export "batch")
    (param $x i32) (param $w i32) (param $y i32) (param $rows i32) (param $k i32) (param $n i32)
    (param $count i32) (param $xStride i32) (param $wStride i32) (param $yStride i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $count)))
      (call $conv (local.get $x) (local.get $w) (i32.const 0) (local.get $y) (local.get $rows) (local.get $k) (local.get $n) (local.get $n) (i32.const 0) (f32.const 0))
      (local.set $x (i32.add (local.get $x) (local.get $xStride)))
      (local.set $w (i32.add (local.get $w) (local.get $wStride)))
      (local.set $y (i32.add (local.get $y) (local.get $yStride)))
      (local.set $count (i32.sub (local.get $count) (i32.const 1)))
      (br $next)))
  )
)
