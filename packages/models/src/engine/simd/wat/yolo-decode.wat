;; YOLO Detect decoding (inference) in one pass, on the tfjs wasm backend's heap (whose memory it
;; imports): for rows [r0, r1) of one level of one image, raw logits `src` [rows][no] (the training
;; layout, rows in (anchor, y, x) order) become `dst` [rows][no]:
;;   σ = 1 / (1 + exp(−x)) for every field (each step rounded to float32, as PyTorch's CPU kernel),
;;   xy = (2σ − 0.5 + grid)·stride, wh = (2σ)²·anchor, in upstream's operation order.
;; exp is Cody–Waite range reduction + a degree-7 Taylor polynomial (≤ 2 ulp), four lanes at a time;
;; tfjs's own exp differs from PyTorch's by an ulp as well, so σ matches either to about 1e-7.
;; anchors: [na][2] float32 (pixels) at `anchors`.
(module
  (import "env" "memory" (memory 1))

  ;; e^x, four lanes (x clamped to [−87.3, 88], where 2^n stays a normal float).
  (func $exp (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x (f32x4.min (f32x4.max (local.get $x) (v128.const f32x4 -87.3 -87.3 -87.3 -87.3)) (v128.const f32x4 88 88 88 88)))
    (local.set $n (f32x4.nearest (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504 1.44269504 1.44269504 1.44269504))))
    ;; r = x − n·ln2 in two steps (ln2_hi has few enough bits that n·ln2_hi is exact)
    (local.set $r (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693145751953125 0.693145751953125 0.693145751953125 0.693145751953125))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $n) (v128.const f32x4 1.428606765330187e-06 1.428606765330187e-06 1.428606765330187e-06 1.428606765330187e-06))))
    ;; p = Σ r^k / k!, k ≤ 7, by Horner
    (local.set $p (v128.const f32x4 1.984126984e-04 1.984126984e-04 1.984126984e-04 1.984126984e-04))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1.388888889e-03 1.388888889e-03 1.388888889e-03 1.388888889e-03)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 8.333333333e-03 8.333333333e-03 8.333333333e-03 8.333333333e-03)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 4.166666667e-02 4.166666667e-02 4.166666667e-02 4.166666667e-02)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.1666666667 0.1666666667 0.1666666667 0.1666666667)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 0.5 0.5 0.5 0.5)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (v128.const f32x4 1 1 1 1)))
    ;; · 2^n, built in the exponent field
    (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127)) (i32.const 23))))

  ;; σ(x) = 1 / (1 + e^(−x)), four lanes
  (func $sigmoid (param $x v128) (result v128)
    (f32x4.div (v128.const f32x4 1 1 1 1)
      (f32x4.add (call $exp (f32x4.neg (local.get $x))) (v128.const f32x4 1 1 1 1))))

  (func (export "decode")
    (param $src i32) (param $dst i32) (param $r0 i32) (param $r1 i32) (param $ny i32) (param $nx i32)
    (param $no i32) (param $stride f32) (param $anchors i32)
    (local $noB i32) (local $s i32) (local $d i32) (local $end i32) (local $r i32) (local $cell i32) (local $a i32)
    (local $o i32) (local $t v128)
    (local.set $noB (i32.shl (local.get $no) (i32.const 2)))
    ;; σ of every field of the rows, four at a time, then the last (fewer than four) one by one
    (local.set $s (i32.add (local.get $src) (i32.mul (local.get $r0) (local.get $noB))))
    (local.set $d (i32.add (local.get $dst) (i32.mul (local.get $r0) (local.get $noB))))
    (local.set $end (i32.add (local.get $src) (i32.mul (local.get $r1) (local.get $noB))))
    (block $vd (loop $vl
      (br_if $vd (i32.gt_u (i32.add (local.get $s) (i32.const 16)) (local.get $end)))
      (v128.store (local.get $d) (call $sigmoid (v128.load (local.get $s))))
      (local.set $s (i32.add (local.get $s) (i32.const 16)))
      (local.set $d (i32.add (local.get $d) (i32.const 16)))
      (br $vl)))
    (block $sd (loop $sl
      (br_if $sd (i32.ge_u (local.get $s) (local.get $end)))
      (local.set $t (call $sigmoid (v128.load32_zero (local.get $s))))
      (f32.store (local.get $d) (f32x4.extract_lane 0 (local.get $t)))
      (local.set $s (i32.add (local.get $s) (i32.const 4)))
      (local.set $d (i32.add (local.get $d) (i32.const 4)))
      (br $sl)))
    ;; boxes: fields 0..3 of each row from their σ
    (local.set $r (local.get $r0))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $cell (i32.rem_u (local.get $r) (i32.mul (local.get $ny) (local.get $nx))))
      (local.set $a (i32.div_u (local.get $r) (i32.mul (local.get $ny) (local.get $nx))))
      (local.set $o (i32.add (local.get $dst) (i32.mul (local.get $r) (local.get $noB))))
      (f32.store (local.get $o) (f32.mul (f32.add (f32.sub (f32.mul (f32.load (local.get $o)) (f32.const 2)) (f32.const 0.5))
        (f32.convert_i32_u (i32.rem_u (local.get $cell) (local.get $nx)))) (local.get $stride)))
      (f32.store offset=4 (local.get $o) (f32.mul (f32.add (f32.sub (f32.mul (f32.load offset=4 (local.get $o)) (f32.const 2)) (f32.const 0.5))
        (f32.convert_i32_u (i32.div_u (local.get $cell) (local.get $nx)))) (local.get $stride)))
      (f32.store offset=8 (local.get $o) (f32.mul (call $square (f32.mul (f32.load offset=8 (local.get $o)) (f32.const 2)))
        (f32.load (i32.add (local.get $anchors) (i32.shl (local.get $a) (i32.const 3))))))
      (f32.store offset=12 (local.get $o) (f32.mul (call $square (f32.mul (f32.load offset=12 (local.get $o)) (f32.const 2)))
        (f32.load offset=4 (i32.add (local.get $anchors) (i32.shl (local.get $a) (i32.const 3))))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))

  (func $square (param $v f32) (result f32)
    (f32.mul (local.get $v) (local.get $v)))
)
