;; Focus's space-to-depth on the tfjs wasm backend's heap (whose memory it imports): output rows
;; [r0, r1) of y [b·h/2][w/2][4][c] from x [b·h][w][c], group g of a pixel = 2·colOffset + rowOffset
;; (upstream's x[::2, ::2], x[1::2, ::2], x[::2, 1::2], x[1::2, 1::2]). 32-bit words copied as they
;; are (no float arithmetic, so every bit pattern survives). The stock 6-D transpose it replaces
;; walks the same copy with a generic strided loop, ~10x slower.
(module
  (import "env" "memory" (memory 1))

  ;; c words from src to dst; returns dst + 4c.
  (func $run (param $dst i32) (param $src i32) (param $c i32) (result i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $c)))
      (i32.store (local.get $dst) (i32.load (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (local.set $c (i32.sub (local.get $c) (i32.const 1)))
      (br $next)))
    (local.get $dst))

  (func (export "rowFirst") (param $x i32) (param $y i32) (param $r0 i32) (param $r1 i32) (param $w i32) (param $c i32)
    (local $rowB i32) (local $pixB i32) (local $r i32) (local $j i32) (local $p i32) (local $o i32)
    (local.set $pixB (i32.shl (local.get $c) (i32.const 2)))
    (local.set $rowB (i32.mul (local.get $w) (local.get $pixB)))
    ;; an output row holds w/2 pixels of 4c words: 2·rowB bytes
    (local.set $o (i32.add (local.get $y) (i32.shl (i32.mul (local.get $r0) (local.get $rowB)) (i32.const 1))))
    (local.set $r (local.get $r0))
    (block $rd (loop $rl
      (br_if $rd (i32.ge_u (local.get $r) (local.get $r1)))
      ;; output row r reads input rows 2r and 2r + 1
      (local.set $p (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $rowB)) (i32.const 1))))
      (local.set $j (i32.shr_u (local.get $w) (i32.const 1)))
      (block $jd (loop $jl
        (br_if $jd (i32.eqz (local.get $j)))
        (local.set $o (call $run (local.get $o) (local.get $p) (local.get $c)))
        (local.set $o (call $run (local.get $o) (i32.add (local.get $p) (local.get $rowB)) (local.get $c)))
        (local.set $o (call $run (local.get $o) (i32.add (local.get $p) (local.get $pixB)) (local.get $c)))
        (local.set $o (call $run (local.get $o) (i32.add (i32.add (local.get $p) (local.get $rowB)) (local.get $pixB)) (local.get $c)))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $pixB) (i32.const 1))))
        (local.set $j (i32.sub (local.get $j) (i32.const 1)))
        (br $jl)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rl)))))
