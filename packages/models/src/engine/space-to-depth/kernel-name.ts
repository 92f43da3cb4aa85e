/**
 * The engine's space-to-depth for Focus (upstream's four strided slices, concatenated): registered on
 * wasm (wasm-kernels/space-to-depth.ts); elsewhere Focus composes it from reshape + transpose.
 * Input `x` `[b, h, w, c]` (h, w even); output `[b, h/2, w/2, 4c]` with channel groups in upstream's
 * order `x[::2, ::2], x[1::2, ::2], x[::2, 1::2], x[1::2, 1::2]` (row offset varies first).
 */
export const SpaceToDepthRowFirst = 'DistillerySpaceToDepthRowFirst';
