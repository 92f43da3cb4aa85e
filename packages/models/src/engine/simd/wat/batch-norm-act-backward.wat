;; Fused training batch norm + activation, gradient passes (the arithmetic is documented in
;; ../../batch-norm/batch-norm-act-math.ts). Works in place on the tfjs wasm backend's heap,
;; whose memory it imports. dy, x, dx: [pixels][c] float32, channels innermost; per-channel
;; vectors float32 [c], except the float64 sums. Channels 4 at a time (f32x4), then the c % 4 last.
;; g = dy·act'(z) with z = x·alpha + shift recomputed as the forward did; mode 0 linear,
;; 1 relu6 (act' = 1 on (0, 6]), 2 leakyrelu (act' = 1 on (0, ∞), else slope).
(module
  (import "env" "memory" (memory 1))

  (func $gradVec (param $dy v128) (param $z v128) (param $mode i32) (param $slopeV v128) (result v128)
    (if (result v128) (i32.eq (local.get $mode) (i32.const 1))
      (then (v128.and (local.get $dy)
        (v128.and (f32x4.gt (local.get $z) (v128.const f32x4 0 0 0 0)) (f32x4.le (local.get $z) (v128.const f32x4 6 6 6 6)))))
      (else (if (result v128) (i32.eq (local.get $mode) (i32.const 2))
        (then (v128.bitselect (local.get $dy) (f32x4.mul (local.get $dy) (local.get $slopeV))
          (f32x4.gt (local.get $z) (v128.const f32x4 0 0 0 0))))
        (else (local.get $dy))))))

  (func $gradScalar (param $dy f32) (param $z f32) (param $mode i32) (param $slope f32) (result f32)
    (if (result f32) (i32.eq (local.get $mode) (i32.const 1))
      (then (select (local.get $dy) (f32.const 0)
        (i32.and (f32.gt (local.get $z) (f32.const 0)) (f32.le (local.get $z) (f32.const 6)))))
      (else (if (result f32) (i32.eq (local.get $mode) (i32.const 2))
        (then (select (local.get $dy) (f32.mul (local.get $dy) (local.get $slope)) (f32.gt (local.get $z) (f32.const 0))))
        (else (local.get $dy))))))

  ;; sumG[k] += Σ_p g, sumGXc[k] += Σ_p g·(x - mean) (float64; centred: no cancellation when
  ;; |mean| ≫ std), summed in float32 over blocks of 32 pixels in scratch acc[2c] first.
  (func (export "gradStats")
    (param $dy i32) (param $x i32) (param $pixels i32) (param $c i32) (param $alpha i32) (param $shift i32)
    (param $mean i32) (param $mode i32) (param $slope f32) (param $acc i32) (param $sumG i32) (param $sumGXc i32)
    (local $p i32) (local $end i32) (local $kb i32) (local $cb i32) (local $c4b i32)
    (local $acc2 i32) (local $a i32) (local $xv v128) (local $g v128) (local $slopeV v128) (local $xs f32) (local $gs f32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $c4b (i32.and (local.get $cb) (i32.const -16)))
    (local.set $acc2 (i32.add (local.get $acc) (local.get $cb)))
    (local.set $slopeV (f32x4.splat (local.get $slope)))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $p) (local.get $pixels)))
      (local.set $end (i32.add (local.get $p) (i32.const 32)))
      (if (i32.gt_u (local.get $end) (local.get $pixels)) (then (local.set $end (local.get $pixels))))
      (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $cb) (i32.const 1)))
      (loop $pixel
        (local.set $kb (i32.const 0))
        (block $vd (loop $vl
          (br_if $vd (i32.ge_u (local.get $kb) (local.get $c4b)))
          (local.set $xv (v128.load (i32.add (local.get $x) (local.get $kb))))
          (local.set $g (call $gradVec
            (v128.load (i32.add (local.get $dy) (local.get $kb)))
            (f32x4.add (f32x4.mul (local.get $xv) (v128.load (i32.add (local.get $alpha) (local.get $kb))))
              (v128.load (i32.add (local.get $shift) (local.get $kb))))
            (local.get $mode) (local.get $slopeV)))
          (local.set $a (i32.add (local.get $acc) (local.get $kb)))
          (v128.store (local.get $a) (f32x4.add (v128.load (local.get $a)) (local.get $g)))
          (local.set $a (i32.add (local.get $acc2) (local.get $kb)))
          (v128.store (local.get $a) (f32x4.add (v128.load (local.get $a))
            (f32x4.mul (local.get $g) (f32x4.sub (local.get $xv) (v128.load (i32.add (local.get $mean) (local.get $kb)))))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $vl)))
        (block $td (loop $tl
          (br_if $td (i32.ge_u (local.get $kb) (local.get $cb)))
          (local.set $xs (f32.load (i32.add (local.get $x) (local.get $kb))))
          (local.set $gs (call $gradScalar
            (f32.load (i32.add (local.get $dy) (local.get $kb)))
            (f32.add (f32.mul (local.get $xs) (f32.load (i32.add (local.get $alpha) (local.get $kb))))
              (f32.load (i32.add (local.get $shift) (local.get $kb))))
            (local.get $mode) (local.get $slope)))
          (local.set $a (i32.add (local.get $acc) (local.get $kb)))
          (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (local.get $gs)))
          (local.set $a (i32.add (local.get $acc2) (local.get $kb)))
          (f32.store (local.get $a) (f32.add (f32.load (local.get $a))
            (f32.mul (local.get $gs) (f32.sub (local.get $xs) (f32.load (i32.add (local.get $mean) (local.get $kb)))))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
          (br $tl)))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (local.set $dy (i32.add (local.get $dy) (local.get $cb)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $pixel (i32.lt_u (local.get $p) (local.get $end))))
      (call $flush (local.get $acc) (local.get $sumG) (local.get $c))
      (call $flush (local.get $acc2) (local.get $sumGXc) (local.get $c))
      (br $blocks))))

  ;; out[k] += acc[k] for k < c (float32 into float64).
  (func $flush (param $acc i32) (param $out i32) (param $c i32)
    (local $k i32) (local $o i32)
    (block $d (loop $l
      (br_if $d (i32.ge_u (local.get $k) (local.get $c)))
      (local.set $o (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 3))))
      (f64.store (local.get $o)
        (f64.add (f64.load (local.get $o)) (f64.promote_f32 (f32.load (i32.add (local.get $acc) (i32.shl (local.get $k) (i32.const 2)))))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $l))))

  ;; dx = alpha·g + k2·(x - mean) + k3 per channel.
  (func (export "apply")
    (param $dy i32) (param $x i32) (param $dx i32) (param $pixels i32) (param $c i32) (param $alpha i32) (param $shift i32)
    (param $mean i32) (param $k2 i32) (param $k3 i32) (param $mode i32) (param $slope f32)
    (local $p i32) (local $kb i32) (local $cb i32) (local $c4b i32)
    (local $xv v128) (local $g v128) (local $slopeV v128) (local $xs f32) (local $gs f32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $c4b (i32.and (local.get $cb) (i32.const -16)))
    (local.set $slopeV (f32x4.splat (local.get $slope)))
    (block $done (loop $pixel
      (br_if $done (i32.ge_u (local.get $p) (local.get $pixels)))
      (local.set $kb (i32.const 0))
      (block $vd (loop $vl
        (br_if $vd (i32.ge_u (local.get $kb) (local.get $c4b)))
        (local.set $xv (v128.load (i32.add (local.get $x) (local.get $kb))))
        (local.set $g (call $gradVec
          (v128.load (i32.add (local.get $dy) (local.get $kb)))
          (f32x4.add (f32x4.mul (local.get $xv) (v128.load (i32.add (local.get $alpha) (local.get $kb))))
            (v128.load (i32.add (local.get $shift) (local.get $kb))))
          (local.get $mode) (local.get $slopeV)))
        (v128.store (i32.add (local.get $dx) (local.get $kb))
          (f32x4.add
            (f32x4.add
              (f32x4.mul (v128.load (i32.add (local.get $alpha) (local.get $kb))) (local.get $g))
              (f32x4.mul (v128.load (i32.add (local.get $k2) (local.get $kb)))
                (f32x4.sub (local.get $xv) (v128.load (i32.add (local.get $mean) (local.get $kb))))))
            (v128.load (i32.add (local.get $k3) (local.get $kb)))))
        (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
        (br $vl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (local.get $kb) (local.get $cb)))
        (local.set $xs (f32.load (i32.add (local.get $x) (local.get $kb))))
        (local.set $gs (call $gradScalar
          (f32.load (i32.add (local.get $dy) (local.get $kb)))
          (f32.add (f32.mul (local.get $xs) (f32.load (i32.add (local.get $alpha) (local.get $kb))))
            (f32.load (i32.add (local.get $shift) (local.get $kb))))
          (local.get $mode) (local.get $slope)))
        (f32.store (i32.add (local.get $dx) (local.get $kb))
          (f32.add
            (f32.add
              (f32.mul (f32.load (i32.add (local.get $alpha) (local.get $kb))) (local.get $gs))
              (f32.mul (f32.load (i32.add (local.get $k2) (local.get $kb)))
                (f32.sub (local.get $xs) (f32.load (i32.add (local.get $mean) (local.get $kb))))))
            (f32.load (i32.add (local.get $k3) (local.get $kb)))))
        (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
        (br $tl)))
      (local.set $x (i32.add (local.get $x) (local.get $cb)))
      (local.set $dy (i32.add (local.get $dy) (local.get $cb)))
      (local.set $dx (i32.add (local.get $dx) (local.get $cb)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pixel))))
)
