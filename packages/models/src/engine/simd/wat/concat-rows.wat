;; Concatenation along the innermost axis on the tfjs wasm backend's heap (whose memory it
;; imports): copies `rows` rows of `srcRowBytes` from `src` (contiguous) into `dst` every
;; `dstRowBytes` — one input's slice of each output row — with bulk memory copies.
(module
  (import "env" "memory" (memory 1))

  (func (export "rows") (param $dst i32) (param $src i32) (param $rows i32) (param $srcRowBytes i32) (param $dstRowBytes i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $rows)))
      (memory.copy (local.get $dst) (local.get $src) (local.get $srcRowBytes))
      (local.set $dst (i32.add (local.get $dst) (local.get $dstRowBytes)))
      (local.set $src (i32.add (local.get $src) (local.get $srcRowBytes)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br $next)))
  )
)
