/** Reference results: the upstream README tables, each row tagged with the preset that produced it. */

export interface ReferenceSource {
  repository: string;
  commit: string;
  file: string;
  url: string;
  /** How the numbers were measured upstream. */
  setup: string;
}

export interface ReferenceMetrics {
  /** test.py precision at confidence 0.1. */
  precision?: number;
  /** test.py recall at confidence 0.1. */
  recall?: number;
  /** test.py mAP@0.5 (VOC07 test). */
  map50?: number;
  /** Params in millions (thop count of the fused model for mobile rows, see params_flops). */
  paramsM?: number;
  /** "FLOPs (G)" upstream = thop MACs, not 2×MACs. */
  gmacs?: number;
  /** COCO mAP (only the comparison table). */
  cocoMap?: number;
}

export interface ReferenceRow {
  label: string;
  /** The preset whose run reproduces this row (undefined: not reproducible here, e.g. another project). */
  preset?: string;
  /** Overrides of the preset for this row, as `resolvePreset` records them (`img=320`, `epochs=50`). */
  overrides?: string[];
  /** Role in a distillation table (teacher, baseline, student...). */
  role?: 'teacher' | 'assistant' | 'baseline' | 'student' | 'sparse' | 'pruned' | 'model';
  metrics: ReferenceMetrics;
  /** Further columns as printed (extra epochs, sl, prune rule, resolution...). */
  extra?: Record<string, string | number>;
  note?: string;
}

export interface ReferenceTable {
  /** `baseline`, `pruning`, `s1.1`, `s1.2`, `s2.1`, `s2.2`, `s3`, `focus-vs-conv`, `input-size`, `other-mobile-yolos`. */
  id: string;
  title: string;
  /** Metric columns in print order. */
  columns: Array<keyof ReferenceMetrics>;
  extraColumns?: string[];
  rows: ReferenceRow[];
  note?: string;
}
