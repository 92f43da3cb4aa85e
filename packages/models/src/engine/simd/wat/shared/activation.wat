;; The fused activation of the engine's kernels (spliced in where a kernel says ";; #include shared/activation.wat").
;; mode 0: linear, 1: relu6, 2: leaky relu with the given slope (lanes where v > 0 keep v).
  (func $act (param $v v128) (param $mode i32) (param $slope v128) (result v128)
    (if (result v128) (i32.eq (local.get $mode) (i32.const 1))
      (then (f32x4.min (f32x4.max (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 6 6 6 6)))
      (else (if (result v128) (i32.eq (local.get $mode) (i32.const 2))
        (then (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $slope))
          (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))
        (else (local.get $v))))))
