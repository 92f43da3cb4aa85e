/**
 * The data-set description: one zod schema that selects a reader (VOC, COCO, YOLO txt) and says where
 * the images, labels, class names and splits are. Paths are relative to `root`, and `root` is relative
 * to the description file's folder (resolved by `loadDatasetDescription`).
 */
import { z } from 'zod';

const Names = z.array(z.string().min(1)).min(1);

/** A VOC image set: `{dir: 'VOC2007', set: 'trainval'}` or the path of an `ImageSets/Main/<set>.txt` file. */
export const VocImageSetSchema = z.union([
  z.object({ dir: z.string(), set: z.string().min(1) }).strict(),
  z.string().regex(/\.txt$/, 'a VOC image set is {dir, set} or the path of an ImageSets/Main/*.txt file'),
]);
export type VocImageSet = z.infer<typeof VocImageSetSchema>;

export const VocDescriptionSchema = z
  .object({
    format: z.literal('voc'),
    root: z.string().default('.'),
    names: Names,
    /** Several image sets per split are concatenated (upstream: VOC07+12 trainval). */
    splits: z.record(z.string(), z.array(VocImageSetSchema).min(1)),
    /** Upstream voc_label.py drops difficult objects from the training labels; they stay as `ignored`. */
    keepDifficult: z.boolean().default(false),
  })
  .strict();

export const CocoSplitSchema = z
  .object({
    /** e.g. `annotations/instances_train2017.json`. */
    annotations: z.string(),
    /** Folder the json's `file_name`s are relative to. */
    images: z.string(),
  })
  .strict();

export const CocoDescriptionSchema = z
  .object({
    format: z.literal('coco'),
    root: z.string().default('.'),
    /** Default: the json's categories sorted by id (COCO's usual 0..79 order). */
    names: Names.optional(),
    splits: z.record(z.string(), z.array(CocoSplitSchema).min(1)),
  })
  .strict();

export const YoloDescriptionSchema = z
  .object({
    format: z.literal('yolo'),
    root: z.string().default('.'),
    names: Names,
    /**
     * Each entry: an images folder, or a .txt list of image paths (relative to the list's folder).
     * Labels are found as upstream does: the last `/images/` of the path becomes `/labels/`, extension `.txt`.
     */
    splits: z.record(z.string(), z.array(z.string()).min(1)),
  })
  .strict();

export const DatasetDescriptionSchema = z.discriminatedUnion('format', [
  VocDescriptionSchema,
  CocoDescriptionSchema,
  YoloDescriptionSchema,
]);

export type VocDescription = z.infer<typeof VocDescriptionSchema>;
export type CocoDescription = z.infer<typeof CocoDescriptionSchema>;
export type YoloDescription = z.infer<typeof YoloDescriptionSchema>;
export type DatasetDescription = z.infer<typeof DatasetDescriptionSchema>;
export type DatasetDescriptionInput = z.input<typeof DatasetDescriptionSchema>;

/**
 * An Ultralytics data YAML (upstream `data/voc.yaml`): `train`, `val`, optional `test`, `nc`, `names`
 * (list or index map), optional `path` (root).
 */
export const UltralyticsDataYamlSchema = z
  .object({
    path: z.string().optional(),
    train: z.union([z.string(), z.array(z.string()).min(1)]),
    val: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    test: z.union([z.string(), z.array(z.string()).min(1)]).optional().nullable(),
    nc: z.number().int().positive().optional(),
    names: z.union([Names, z.record(z.string(), z.string())]),
    download: z.unknown().optional(),
  })
  .passthrough();

/** Class names of a description (COCO without `names` needs the json: see `readSplit`). */
export function descriptionNames(d: DatasetDescription): string[] | undefined {
  return d.names;
}
