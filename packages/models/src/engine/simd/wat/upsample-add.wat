;; y = act(x + up(small)) on the tfjs wasm backend's heap: x, y [b·H][W][c], small [b·H/s][W/s][c], up =
;; nearest-neighbour upsampling by s (source pixel floor(destination / s)). Rows [r0, r1) of x / y; c % 4 = 0.
(module
  (import "env" "memory" (memory 1))

  ;; #include shared/activation.wat

  (func (export "rows")
    (param $x i32) (param $small i32) (param $y i32) (param $r0 i32) (param $r1 i32)
    (param $h i32) (param $w i32) (param $c i32) (param $s i32) (param $mode i32) (param $slope f32)
    (local $pixB i32) (local $rowB i32) (local $smallRowB i32) (local $r i32) (local $img i32) (local $sr i32)
    (local $xp i32) (local $yp i32) (local $sp i32) (local $j i32) (local $k i32) (local $sub i32) (local $slopeV v128)
    (local.set $slopeV (f32x4.splat (local.get $slope)))
    (local.set $pixB (i32.shl (local.get $c) (i32.const 2)))
    (local.set $rowB (i32.mul (local.get $w) (local.get $pixB)))
    (local.set $smallRowB (i32.div_u (local.get $rowB) (local.get $s)))
    (local.set $r (local.get $r0))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $r1)))
      ;; row r = img·H + Y reads small row img·(H/s) + floor(Y / s)
      (local.set $img (i32.div_u (local.get $r) (local.get $h)))
      (local.set $sr (i32.add
        (i32.mul (local.get $img) (i32.div_u (local.get $h) (local.get $s)))
        (i32.div_u (i32.sub (local.get $r) (i32.mul (local.get $img) (local.get $h))) (local.get $s))))
      (local.set $xp (i32.add (local.get $x) (i32.mul (local.get $r) (local.get $rowB))))
      (local.set $yp (i32.add (local.get $y) (i32.mul (local.get $r) (local.get $rowB))))
      (local.set $sp (i32.add (local.get $small) (i32.mul (local.get $sr) (local.get $smallRowB))))
      (local.set $sub (i32.const 0))
      (local.set $j (local.get $w))
      (block $jd (loop $jl
        (br_if $jd (i32.eqz (local.get $j)))
        (local.set $k (i32.const 0))
        (block $kd (loop $kl
          (br_if $kd (i32.ge_u (local.get $k) (local.get $pixB)))
          (v128.store (i32.add (local.get $yp) (local.get $k))
            (call $act
              (f32x4.add (v128.load (i32.add (local.get $xp) (local.get $k))) (v128.load (i32.add (local.get $sp) (local.get $k))))
              (local.get $mode) (local.get $slopeV)))
          (local.set $k (i32.add (local.get $k) (i32.const 16)))
          (br $kl)))
        (local.set $xp (i32.add (local.get $xp) (local.get $pixB)))
        (local.set $yp (i32.add (local.get $yp) (local.get $pixB)))
        ;; every s destination pixels, the next source pixel
        (local.set $sub (i32.add (local.get $sub) (i32.const 1)))
        (if (i32.eq (local.get $sub) (local.get $s))
          (then (local.set $sub (i32.const 0)) (local.set $sp (i32.add (local.get $sp) (local.get $pixB)))))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl))))
)
