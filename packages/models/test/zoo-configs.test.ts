// The embedded config strings (what the browser loads) are exactly the YAML files of the zoo.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ZOO_CONFIGS, parseModelConfig } from '../src/index.ts';
import { CONFIG_DIR, renderConfigModule } from '../src/zoo/configs/generate.ts';

describe('zoo configs', () => {
  it('index.ts is up to date with the YAML files (regenerate: npx tsx packages/models/src/zoo/configs/generate.ts)', () => {
    expect(readFileSync(path.join(CONFIG_DIR, 'index.ts'), 'utf8')).toBe(renderConfigModule());
    expect(Object.keys(ZOO_CONFIGS).sort()).toEqual(readdirSync(CONFIG_DIR).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)).sort());
  });

  it('ships the VOC and COCO configs of the upstream project', () => {
    for (const n of ['yolov5s_voc', 'yolov5m_voc', 'yolov5l_voc', 'yolov5x_voc', 'mobile-yolo5s_voc', 'mobile-yolo5s_voc.focus-stem@90259bc', 'mobile-yolo5l_voc', 'mobile-yolo3_voc', 'mobile-yolo3_voc.focus-stem@90259bc', 'yolov5s', 'yolov5m', 'yolov5l', 'yolov5x', 'mobile-yolo5s']) {
      expect(Object.keys(ZOO_CONFIGS)).toContain(n);
      const c = parseModelConfig(ZOO_CONFIGS[n], n);
      expect(c.nc).toBe(n.includes('_voc') ? 20 : 80);
    }
  });
});
