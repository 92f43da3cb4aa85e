/** One compared quantity of `pnpm trainer golden DIR`. */
export interface GoldenCheck {
  /** `<case folder relative to DIR>/<quantity>`, e.g. `yolov5s_voc/eval.raw.0`. */
  name: string;
  err: number;
  tol: number;
  ok: boolean;
  /** The code cannot check this quantity yet: listed, never ok. */
  skipped?: true;
  /** Optional human detail (not part of the JSON contract). */
  detail?: string;
}

/** A checker looks at one golden folder and returns its checks, or [] when the folder is not its kind. */
export type GoldenChecker = (dir: string, caseDir: string, caseName: string) => Promise<GoldenCheck[]>;

export function check(name: string, err: number, tol: number, detail?: string): GoldenCheck {
  return { name, err, tol, ok: Number.isFinite(err) && err <= tol, ...(detail ? { detail } : {}) };
}

export function skipped(name: string, detail: string): GoldenCheck {
  return { name, err: Number.NaN, tol: 0, ok: false, skipped: true, detail };
}
