/**
 * Image decoding with sharp, fused with upstream `load_image`'s resize: the long side becomes `img`
 * (aspect kept; `int()` truncation of the other side as upstream). Grayscale/CMYK/alpha become RGB.
 */
import sharp from 'sharp';
import { DataError } from '../errors.ts';
import type { RgbImage } from './rgb-image.ts';

const LINEAR_KERNEL = 'linear' as keyof sharp.KernelEnum;

export interface LoadedImage {
  image: RgbImage;
  originalWidth: number;
  originalHeight: number;
}

/** Upstream `load_image`: r = img / max(h0, w0); resized to (int(w0 r), int(h0 r)) when r != 1. */
export function loadSize(width: number, height: number, img: number): { width: number; height: number } {
  const r = img / Math.max(width, height);
  if (r === 1) return { width, height };
  return { width: Math.max(1, Math.floor(width * r)), height: Math.max(1, Math.floor(height * r)) };
}

/**
 * Decodes `file` and resizes it to the load size of `img` (or keeps it when `img` is undefined).
 * `expected` (the annotation's size) guards against labels normalised to a different image.
 */
export async function loadImage(file: string, img: number | undefined, expected?: { width: number; height: number }): Promise<LoadedImage> {
  try {
    const s = sharp(file, { failOn: 'error' });
    const m = await s.metadata();
    if (!m.width || !m.height) throw new Error('no image size in the header');
    if (expected && (expected.width !== m.width || expected.height !== m.height)) {
      throw new DataError(file, `image is ${m.width}x${m.height} but its annotation says ${expected.width}x${expected.height}`);
    }
    const size = img === undefined ? { width: m.width, height: m.height } : loadSize(m.width, m.height, img);
    let p = s.toColourspace('srgb').removeAlpha();
    if (size.width !== m.width || size.height !== m.height) {
      // 'linear' is upstream's INTER_LINEAR; libvips scales the kernel when shrinking, so it also
      // anti-aliases like the INTER_AREA upstream uses for evaluation downsizing.
      // (sharp 0.33 supports 'linear' at run time; its typings list it only from 0.34)
      p = p.resize(size.width, size.height, { fit: 'fill', kernel: LINEAR_KERNEL });
    }
    const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height },
      originalWidth: m.width,
      originalHeight: m.height,
    };
  } catch (e) {
    if (e instanceof DataError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new DataError(file, code === 'ENOENT' ? 'missing image file' : `image does not decode: ${(e as Error).message}`);
  }
}
