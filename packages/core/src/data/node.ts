/** Data pipeline, Node part: files, sharp decoding, readers with the label cache, `loadSample`, demo set. */
export { loadDatasetDescription, parseDatasetDescription } from './description/load.ts';
export { resolveDataset } from './description/resolve.ts';
export { readSplit, readSplitUncached, clearSplitMemo, type ReadSplitOptions } from './readers/read-split.ts';
export { readVocImageSet, parseVocXml, vocImageSetFile } from './readers/voc.ts';
export { readCocoSplit, readCocoJson, cocoNames } from './readers/coco.ts';
export { readYoloEntry, yoloImageFiles, yoloLabelPath, parseYoloLabels } from './readers/yolo.ts';
export { cachedRead, filesHash, fallbackCacheFile } from './cache/label-cache.ts';
export { loadImage, loadSize, type LoadedImage } from './image/decode.ts';
export { loadSample } from './sample/load-sample.ts';
export { createDataLoader, inThreadSampleSource, type CreateDataLoaderOptions } from './loader/create-data-loader.ts';
export { ensureDemoDataset, demoDescription, demoXml, DEMO_DEFAULTS, DEMO_GENERATOR_VERSION, DEMO_MARKER_FILE, type DemoOptions } from './demo/generate.ts';
export { renderDemoImage, type DemoImage, type DemoObject } from './demo/render.ts';
