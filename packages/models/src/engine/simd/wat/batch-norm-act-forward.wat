;; Fused training batch norm + activation, forward passes (the arithmetic is documented in
;; ../../batch-norm/batch-norm-act-math.ts). Works in place on the tfjs wasm backend's heap,
;; whose memory it imports. x, y: [pixels][c] float32, channels innermost; per-channel vectors
;; are float32 [c], except the float64 sums. Channels go 4 at a time (f32x4), the c % 4 last
;; ones one at a time.
(module
  (import "env" "memory" (memory 1))

  ;; With d = x[p][k] - center[k]: sum[k] += Σ_p d, sumSq[k] += Σ_p d² (float64). Centring on a
  ;; value near the mean (the caller passes the first pixel) keeps E[d²] - E[d]² exact when
  ;; |mean| ≫ std. Sums go in float32 over blocks of 32 pixels in scratch acc[2c] (float32),
  ;; then into float64: vector adds, with float64 accuracy for the long sums over N·H·W.
  (func (export "stats")
    (param $x i32) (param $pixels i32) (param $c i32) (param $center i32) (param $acc i32) (param $sum i32) (param $sumSq i32)
    (local $p i32) (local $end i32) (local $kb i32) (local $cb i32) (local $c4b i32)
    (local $acc2 i32) (local $a i32) (local $v v128) (local $s f32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $c4b (i32.and (local.get $cb) (i32.const -16)))
    (local.set $acc2 (i32.add (local.get $acc) (local.get $cb)))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $p) (local.get $pixels)))
      (local.set $end (i32.add (local.get $p) (i32.const 32)))
      (if (i32.gt_u (local.get $end) (local.get $pixels)) (then (local.set $end (local.get $pixels))))
      (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $cb) (i32.const 1)))
      (loop $pixel
        (local.set $kb (i32.const 0))
        (block $vd (loop $vl
          (br_if $vd (i32.ge_u (local.get $kb) (local.get $c4b)))
          (local.set $v (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $kb))) (v128.load (i32.add (local.get $center) (local.get $kb)))))
          (local.set $a (i32.add (local.get $acc) (local.get $kb)))
          (v128.store (local.get $a) (f32x4.add (v128.load (local.get $a)) (local.get $v)))
          (local.set $a (i32.add (local.get $acc2) (local.get $kb)))
          (v128.store (local.get $a) (f32x4.add (v128.load (local.get $a)) (f32x4.mul (local.get $v) (local.get $v))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
          (br $vl)))
        (block $td (loop $tl
          (br_if $td (i32.ge_u (local.get $kb) (local.get $cb)))
          (local.set $s (f32.sub (f32.load (i32.add (local.get $x) (local.get $kb))) (f32.load (i32.add (local.get $center) (local.get $kb)))))
          (local.set $a (i32.add (local.get $acc) (local.get $kb)))
          (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (local.get $s)))
          (local.set $a (i32.add (local.get $acc2) (local.get $kb)))
          (f32.store (local.get $a) (f32.add (f32.load (local.get $a)) (f32.mul (local.get $s) (local.get $s))))
          (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
          (br $tl)))
        (local.set $x (i32.add (local.get $x) (local.get $cb)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $pixel (i32.lt_u (local.get $p) (local.get $end))))
      (call $flush (local.get $acc) (local.get $sum) (local.get $c))
      (call $flush (local.get $acc2) (local.get $sumSq) (local.get $c))
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

  ;; y = act(x·alpha + shift) per channel; mode 0 linear, 1 relu6 (clamp to [0, 6]),
  ;; 2 leakyrelu (z > 0 ? z : z·slope).
  (func (export "apply")
    (param $x i32) (param $y i32) (param $pixels i32) (param $c i32) (param $alpha i32) (param $shift i32)
    (param $mode i32) (param $slope f32)
    (local $p i32) (local $kb i32) (local $cb i32) (local $c4b i32)
    (local $z v128) (local $slopeV v128) (local $six v128) (local $zero v128) (local $zs f32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $c4b (i32.and (local.get $cb) (i32.const -16)))
    (local.set $slopeV (f32x4.splat (local.get $slope)))
    (local.set $six (f32x4.splat (f32.const 6)))
    (block $done (loop $pixel
      (br_if $done (i32.ge_u (local.get $p) (local.get $pixels)))
      (local.set $kb (i32.const 0))
      (block $vd (loop $vl
        (br_if $vd (i32.ge_u (local.get $kb) (local.get $c4b)))
        (local.set $z (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $x) (local.get $kb))) (v128.load (i32.add (local.get $alpha) (local.get $kb))))
          (v128.load (i32.add (local.get $shift) (local.get $kb)))))
        (if (i32.eq (local.get $mode) (i32.const 1))
          (then (local.set $z (f32x4.min (f32x4.max (local.get $z) (local.get $zero)) (local.get $six))))
          (else (if (i32.eq (local.get $mode) (i32.const 2))
            (then (local.set $z (v128.bitselect (local.get $z) (f32x4.mul (local.get $z) (local.get $slopeV))
              (f32x4.gt (local.get $z) (local.get $zero))))))))
        (v128.store (i32.add (local.get $y) (local.get $kb)) (local.get $z))
        (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
        (br $vl)))
      (block $td (loop $tl
        (br_if $td (i32.ge_u (local.get $kb) (local.get $cb)))
        (local.set $zs (f32.add
          (f32.mul (f32.load (i32.add (local.get $x) (local.get $kb))) (f32.load (i32.add (local.get $alpha) (local.get $kb))))
          (f32.load (i32.add (local.get $shift) (local.get $kb)))))
        (if (i32.eq (local.get $mode) (i32.const 1))
          (then (local.set $zs (f32.min (f32.max (local.get $zs) (f32.const 0)) (f32.const 6))))
          (else (if (i32.eq (local.get $mode) (i32.const 2))
            (then (local.set $zs (select (local.get $zs) (f32.mul (local.get $zs) (local.get $slope))
              (f32.gt (local.get $zs) (f32.const 0))))))))
        (f32.store (i32.add (local.get $y) (local.get $kb)) (local.get $zs))
        (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
        (br $tl)))
      (local.set $x (i32.add (local.get $x) (local.get $cb)))
      (local.set $y (i32.add (local.get $y) (local.get $cb)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $pixel))))
)
