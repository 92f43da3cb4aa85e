;; DepthwiseConv2dNativeBackpropInput, channel multiplier 1, on the tfjs wasm backend's heap
;; (whose memory it imports), as a scatter of each dy pixel through the kh×kw taps:
;;   dx[n, i·sh+a·dh-top, j·sw+b·dw-left, c] += dy[n,i,j,c] · W[a,b,c]
;; dy [n,ho,wo,c], W [kh,kw,c], dx [n,h,w,c] float32 NHWC (dx is zeroed first). Channels
;; 4 at a time (f32x4), then the c % 4 last. Used for strided convolutions (stride 1 goes
;; through XNNPACK's forward depthwise convolution).
(module
  (import "env" "memory" (memory 1))

  (func (export "inputGrad")
    (param $dy i32) (param $filter i32) (param $dx i32) (param $n i32) (param $h i32) (param $w i32) (param $c i32)
    (param $ho i32) (param $wo i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $top i32) (param $left i32)
    (local $cb i32) (local $c4b i32)
    (local $bi i32) (local $i i32) (local $a i32) (local $j i32) (local $bb i32)
    (local $y i32) (local $xc i32) (local $xRow i32) (local $wA i32) (local $dyp i32)
    (local $xp i32) (local $wp i32) (local $kb i32) (local $q i32)
    (local.set $cb (i32.shl (local.get $c) (i32.const 2)))
    (local.set $c4b (i32.and (local.get $cb) (i32.const -16)))
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.mul (i32.mul (i32.mul (local.get $n) (local.get $h)) (local.get $w)) (local.get $cb)))
    (local.set $dyp (local.get $dy))
    (block $nd (loop $nl
      (br_if $nd (i32.ge_u (local.get $bi) (local.get $n)))
      (local.set $i (i32.const 0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $i) (local.get $ho)))
        (local.set $a (i32.const 0))
        (block $ad (loop $al
          (br_if $ad (i32.ge_u (local.get $a) (local.get $kh)))
          (local.set $y (i32.sub (i32.add (i32.mul (local.get $i) (local.get $sh)) (i32.mul (local.get $a) (local.get $dh))) (local.get $top)))
          ;; unsigned compare: also skips rows above the top (negative y)
          (if (i32.lt_u (local.get $y) (local.get $h)) (then
            (local.set $xRow (i32.add (local.get $dx)
              (i32.mul (i32.mul (i32.add (i32.mul (local.get $bi) (local.get $h)) (local.get $y)) (local.get $w)) (local.get $cb))))
            (local.set $wA (i32.add (local.get $filter) (i32.mul (i32.mul (local.get $a) (local.get $kw)) (local.get $cb))))
            (local.set $j (i32.const 0))
            (block $jd (loop $jl
              (br_if $jd (i32.ge_u (local.get $j) (local.get $wo)))
              (local.set $q (i32.add (local.get $dyp) (i32.mul (local.get $j) (local.get $cb))))
              (local.set $bb (i32.const 0))
              (block $bd (loop $bl
                (br_if $bd (i32.ge_u (local.get $bb) (local.get $kw)))
                (local.set $xc (i32.sub (i32.add (i32.mul (local.get $j) (local.get $sw)) (i32.mul (local.get $bb) (local.get $dw))) (local.get $left)))
                (if (i32.lt_u (local.get $xc) (local.get $w)) (then
                  (local.set $xp (i32.add (local.get $xRow) (i32.mul (local.get $xc) (local.get $cb))))
                  (local.set $wp (i32.add (local.get $wA) (i32.mul (local.get $bb) (local.get $cb))))
                  (local.set $kb (i32.const 0))
                  (block $vd (loop $vl
                    (br_if $vd (i32.ge_u (local.get $kb) (local.get $c4b)))
                    (v128.store (i32.add (local.get $xp) (local.get $kb))
                      (f32x4.add (v128.load (i32.add (local.get $xp) (local.get $kb)))
                        (f32x4.mul (v128.load (i32.add (local.get $q) (local.get $kb))) (v128.load (i32.add (local.get $wp) (local.get $kb))))))
                    (local.set $kb (i32.add (local.get $kb) (i32.const 16)))
                    (br $vl)))
                  (block $td (loop $tl
                    (br_if $td (i32.ge_u (local.get $kb) (local.get $cb)))
                    (f32.store (i32.add (local.get $xp) (local.get $kb))
                      (f32.add (f32.load (i32.add (local.get $xp) (local.get $kb)))
                        (f32.mul (f32.load (i32.add (local.get $q) (local.get $kb))) (f32.load (i32.add (local.get $wp) (local.get $kb))))))
                    (local.set $kb (i32.add (local.get $kb) (i32.const 4)))
                    (br $tl)))))
                (local.set $bb (i32.add (local.get $bb) (i32.const 1)))
                (br $bl)))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $jl)))))
          (local.set $a (i32.add (local.get $a) (i32.const 1)))
          (br $al)))
        (local.set $dyp (i32.add (local.get $dyp) (i32.mul (local.get $wo) (local.get $cb))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $il)))
      (local.set $bi (i32.add (local.get $bi) (i32.const 1)))
      (br $nl))))
)
