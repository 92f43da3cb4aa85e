/**
 * Data pipeline, pure part (no file system): contract-3 types, the description schema, augmentation
 * on in-memory images, seeded randomness, rectangular batch planning, collation and the `DataLoader`
 * (which takes its samples from an injectable source). File readers, decoding, `loadSample` and the
 * demo generator are in `./node.ts`.
 */
export * from './types.ts';
export { DataError, isDataError } from './errors.ts';
export * from './description/schema.ts';
export type { ImageRecord, ReadResult, SplitIndex } from './readers/types.ts';
export { Rng, mixSeed, sampleSeed } from './random/rng.ts';
export { type RgbImage, PAD_VALUE, filledImage, resizeBilinear } from './image/rgb-image.ts';
export { letterbox, pyRound, type LetterboxOptions, type LetterboxResult } from './augment/letterbox.ts';
export { mosaic, type MosaicPart } from './augment/mosaic.ts';
export { randomAffine, drawAffine, warpAffine, transformBoxes, boxCandidate, type AffineParams, type AffineDraw } from './augment/affine.ts';
export { augmentHsv, applyHsvGains, hsvLuts } from './augment/hsv.ts';
export { flipImageLR, flipRowsLR } from './augment/flip.ts';
export { normToPixel, pixelToNorm } from './augment/boxes.ts';
export { rectBatches, type RectPlan } from './sample/rect-batches.ts';
export { collate } from './loader/collate.ts';
export type { SampleRequest, SampleSource } from './loader/sample-source.ts';
export { DataLoader, type DataLoaderOptions } from './loader/data-loader.ts';
export { DEMO_CLASSES, DEMO_CLASS_NAMES, type DemoClass } from './demo/classes.ts';
