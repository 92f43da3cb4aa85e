/**
 * Node-only entry (`@distillery/eval/node`): reads ground truth and detections from disk and hands
 * them to the pure parsers of the main entry.
 * - `readGroundTruth(path)` recognises a COCO JSON file, a VOC folder (VOCdevkit/VOC20xx with
 *   Annotations/ and ImageSets/Main/<split>.txt) or a YOLO folder (images/<split>, labels/<split>).
 * - `readDetectionsFile(path, gt)` reads COCO results or VOC-form detections (JSON list).
 */
import { existsSync, openSync, readSync, closeSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Detections, GroundTruth } from './dataset/types.ts';
import { EvalInputError } from './errors.ts';
import { parseCocoGroundTruth } from './readers/coco-json.ts';
import { parseDetections, type DetectionFormat } from './readers/detections-json.ts';
import { imageSizeFromBytes } from './readers/image-size.ts';
import { parseVocXml, vocGroundTruth, type VocAnnotation } from './readers/voc-xml.ts';
import { COCO80_NAMES, COCO80_TO_COCO91, parseYoloLabels, yoloGroundTruth, type YoloImageLabels } from './readers/yolo-txt.ts';

export interface GroundTruthOptions {
  /** VOC image list / YOLO sub-folder name (train, val, test, …). */
  split?: string;
  /** Class names (VOC: fixes the class list; YOLO: names per index). */
  names?: string[];
  /** YOLO: map class index k to COCO's sparse category id (`COCO80_TO_COCO91[k]`) and name. */
  cocoIds?: boolean;
}

export type GroundTruthKind = 'coco' | 'voc' | 'yolo';

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new EvalInputError(file, undefined, `cannot read file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

const isDir = (p: string): boolean => existsSync(p) && statSync(p).isDirectory();

/** Which reader a path needs, from its files (never from its name). */
export function detectGroundTruthKind(p: string): { kind: GroundTruthKind; root: string } {
  if (!existsSync(p)) throw new EvalInputError(p, undefined, 'ground truth not found');
  if (!isDir(p)) return { kind: 'coco', root: p };
  if (isDir(path.join(p, 'Annotations')) && isDir(path.join(p, 'ImageSets'))) return { kind: 'voc', root: p };
  // VOCdevkit holding one VOC20xx folder
  const vocChildren = readdirSync(p).filter((d) => isDir(path.join(p, d, 'Annotations')) && isDir(path.join(p, d, 'ImageSets')));
  if (vocChildren.length === 1) return { kind: 'voc', root: path.join(p, vocChildren[0]) };
  if (isDir(path.join(p, 'labels')) || isDir(path.join(p, 'images'))) return { kind: 'yolo', root: p };
  throw new EvalInputError(p, undefined, 'not a COCO JSON file, a VOC folder (Annotations/ + ImageSets/Main/) or a YOLO folder (images/ + labels/)');
}

export function readGroundTruth(p: string, options: GroundTruthOptions = {}): GroundTruth {
  const { kind, root } = detectGroundTruthKind(p);
  if (kind === 'coco') return parseCocoGroundTruth(readText(root), root);
  if (kind === 'voc') return readVocFolder(root, options);
  return readYoloFolder(root, options);
}

export function readVocFolder(root: string, options: GroundTruthOptions = {}): GroundTruth {
  const setsDir = path.join(root, 'ImageSets', 'Main');
  if (!isDir(setsDir)) throw new EvalInputError(root, undefined, 'no ImageSets/Main folder');
  let split = options.split;
  if (!split) {
    const lists = readdirSync(setsDir).filter((f) => f.endsWith('.txt') && !f.includes('_')).map((f) => f.slice(0, -4));
    split = ['test', 'val'].find((s) => lists.includes(s)) ?? (lists.length === 1 ? lists[0] : undefined);
    if (!split) throw new EvalInputError(setsDir, undefined, `choose an image list with --split (found: ${lists.join(', ') || 'none'})`);
  }
  const listFile = path.join(setsDir, `${split}.txt`);
  if (!existsSync(listFile)) throw new EvalInputError(listFile, undefined, `image list for split "${split}" not found`);
  const annotations: VocAnnotation[] = [];
  readText(listFile)
    .split(/\r?\n/)
    .forEach((line, i) => {
      const id = line.trim().split(/\s+/)[0];
      if (!id) return;
      const xml = path.join(root, 'Annotations', `${id}.xml`);
      if (!existsSync(xml)) throw new EvalInputError(listFile, `line ${i + 1}`, `no annotation file Annotations/${id}.xml`);
      annotations.push(parseVocXml(readText(xml), xml, id));
    });
  return vocGroundTruth(root, annotations, options.names);
}

const IMAGE_EXT = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.gif', '.webp']);

/** Width and height from the image header (reads a few KB, more only for JPEGs with big metadata). */
export function readImageSize(file: string): { width: number; height: number } {
  const fd = openSync(file, 'r');
  try {
    const total = statSync(file).size;
    for (let want = 65536; ; want *= 4) {
      const n = Math.min(want, total);
      const buf = new Uint8Array(n);
      readSync(fd, buf, 0, n, 0);
      const size = imageSizeFromBytes(buf);
      if (size) return size;
      if (n === total) throw new EvalInputError(file, undefined, 'cannot read the image size (unknown or damaged image header)');
    }
  } finally {
    closeSync(fd);
  }
}

export function readYoloFolder(root: string, options: GroundTruthOptions = {}): GroundTruth {
  const imagesRoot = path.join(root, 'images');
  const labelsRoot = path.join(root, 'labels');
  let sub = options.split ?? '';
  if (!options.split && isDir(imagesRoot)) {
    const hasImages = readdirSync(imagesRoot).some((f) => IMAGE_EXT.has(path.extname(f).toLowerCase()));
    const dirs = readdirSync(imagesRoot).filter((d) => isDir(path.join(imagesRoot, d)));
    if (!hasImages) {
      if (dirs.length !== 1) throw new EvalInputError(imagesRoot, undefined, `choose a sub-folder with --split (found: ${dirs.join(', ') || 'none'})`);
      sub = dirs[0];
    }
  }
  const imageDir = path.join(imagesRoot, sub);
  const labelDir = path.join(labelsRoot, sub);
  if (!isDir(imageDir)) throw new EvalInputError(imageDir, undefined, 'image folder not found (YOLO ground truth needs the images for their sizes)');
  const files = readdirSync(imageDir)
    .filter((f) => IMAGE_EXT.has(path.extname(f).toLowerCase()))
    .sort();
  const images: YoloImageLabels[] = files.map((f) => {
    const stem = f.slice(0, f.length - path.extname(f).length);
    const { width, height } = readImageSize(path.join(imageDir, f));
    const labelFile = path.join(labelDir, `${stem}.txt`);
    const labels = existsSync(labelFile) ? parseYoloLabels(readText(labelFile), labelFile) : new Float64Array(0);
    return { id: stem, fileName: f, width, height, labels, labelSource: labelFile };
  });
  return yoloGroundTruth(root, images, options.names ?? (options.cocoIds ? COCO80_NAMES : []), options.cocoIds ? COCO80_TO_COCO91 : undefined);
}

export function readDetectionsFile(file: string, gt: GroundTruth, format: DetectionFormat = 'auto'): Detections {
  return parseDetections(readText(file), file, gt, format);
}
