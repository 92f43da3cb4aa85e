/** pycocotools `Params(iouType='bbox')` defaults, with numpy's exact linspace values. */
import { linspace } from '../numeric/numpy.ts';

export interface CocoParams {
  /** 0.50:0.05:0.95 (`np.linspace(.5, 0.95, 10)`). */
  iouThrs: Float64Array;
  /** 0:0.01:1 (`np.linspace(.0, 1.00, 101)`). */
  recThrs: Float64Array;
  /** Per image AND category: the top-scored `maxDet` detections of one category on one image. */
  maxDets: number[];
  /** [min, max] box area, inclusive at both ends. */
  areaRng: [number, number][];
  areaRngLbl: string[];
}

export function defaultCocoParams(): CocoParams {
  return {
    iouThrs: linspace(0.5, 0.95, Math.round((0.95 - 0.5) / 0.05) + 1),
    recThrs: linspace(0.0, 1.0, Math.round((1.0 - 0.0) / 0.01) + 1),
    maxDets: [1, 10, 100],
    areaRng: [
      [0, 1e5 ** 2],
      [0, 32 ** 2],
      [32 ** 2, 96 ** 2],
      [96 ** 2, 1e5 ** 2],
    ],
    areaRngLbl: ['all', 'small', 'medium', 'large'],
  };
}
