/**
 * The demo classes: each differs from the others by shape AND colour, so a small network can learn
 * them quickly while shape-only or colour-only shortcuts still confuse some pairs under jitter.
 */
export interface DemoClass {
  name: string;
  rgb: [number, number, number];
  /** Inside test in shape-local coordinates (u, v) ∈ [-1, 1]² (v points down). */
  inside: (u: number, v: number) => boolean;
  /** Whether rotating the shape changes it. */
  rotates: boolean;
}

const SQRT3 = Math.sqrt(3);
const STAR_POINTS = 5;
const STAR_INNER = 0.45;

function starInside(u: number, v: number): boolean {
  const r = Math.hypot(u, v);
  if (r > 1) return false;
  if (r <= STAR_INNER * 0.8) return true;
  const sector = (2 * Math.PI) / STAR_POINTS;
  const theta = Math.atan2(u, -v); // 0 = up
  const local = (((theta % sector) + sector) % sector) / sector; // 0 at an outer point, 0.5 at an inner one
  const t = Math.abs(local - 0.5) * 2; // 1 at outer point, 0 at inner
  return r <= STAR_INNER + (1 - STAR_INNER) * t;
}

export const DEMO_CLASSES: DemoClass[] = [
  { name: 'red-circle', rgb: [215, 45, 40], inside: (u, v) => u * u + v * v <= 1, rotates: false },
  { name: 'blue-square', rgb: [40, 80, 215], inside: (u, v) => Math.abs(u) <= 1 && Math.abs(v) <= 1, rotates: true },
  { name: 'green-triangle', rgb: [45, 170, 60], inside: (u, v) => v <= 1 && Math.abs(u) <= (v + 1) / 2, rotates: true },
  { name: 'yellow-star', rgb: [240, 205, 35], inside: starInside, rotates: true },
  {
    name: 'magenta-ring',
    rgb: [200, 50, 195],
    inside: (u, v) => {
      const r2 = u * u + v * v;
      return r2 <= 1 && r2 >= 0.3;
    },
    rotates: false,
  },
  {
    name: 'cyan-cross',
    rgb: [40, 195, 205],
    inside: (u, v) => (Math.abs(u) <= 0.34 && Math.abs(v) <= 1) || (Math.abs(v) <= 0.34 && Math.abs(u) <= 1),
    rotates: true,
  },
  { name: 'orange-diamond', rgb: [245, 135, 30], inside: (u, v) => Math.abs(u) + Math.abs(v) <= 1, rotates: true },
  {
    name: 'purple-hexagon',
    rgb: [115, 55, 175],
    inside: (u, v) => Math.abs(v) <= SQRT3 / 2 && Math.abs(u) + Math.abs(v) / SQRT3 <= 1,
    rotates: true,
  },
];

export const DEMO_CLASS_NAMES = DEMO_CLASSES.map((c) => c.name);
