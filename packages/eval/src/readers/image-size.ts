/**
 * Image width/height from the first bytes of a JPEG, PNG, GIF, BMP or WebP file, without decoding.
 * (EXIF orientation is not applied: sizes are the stored pixel grid, as COCO's and PIL's `size`.)
 */
export interface ImageSize {
  width: number;
  height: number;
  format: 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp';
}

export function imageSizeFromBytes(b: Uint8Array): ImageSize | null {
  const u16be = (o: number): number => (b[o] << 8) | b[o + 1];
  const u16le = (o: number): number => b[o] | (b[o + 1] << 8);
  const u32be = (o: number): number => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
  const i32le = (o: number): number => b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
  if (b.length >= 24 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) {
    return { width: u32be(16), height: u32be(20), format: 'png' };
  }
  if (b.length >= 10 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46) return { width: u16le(6), height: u16le(8), format: 'gif' };
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) return { width: i32le(18), height: Math.abs(i32le(22)), format: 'bmp' };
  if (b.length >= 30 && b[0] === 0x52 && b[1] === 0x49 && b[8] === 0x57 && b[9] === 0x45) {
    const chunk = String.fromCharCode(b[12], b[13], b[14], b[15]);
    if (chunk === 'VP8 ') return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff, format: 'webp' };
    if (chunk === 'VP8L') {
      const bits = b[21] | (b[22] << 8) | (b[23] << 16) | (b[24] << 24);
      return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1, format: 'webp' };
    }
    if (chunk === 'VP8X') return { width: 1 + (b[24] | (b[25] << 8) | (b[26] << 16)), height: 1 + (b[27] | (b[28] << 8) | (b[29] << 16)), format: 'webp' };
    return null;
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8) {
    let o = 2;
    while (o + 9 < b.length) {
      if (b[o] !== 0xff) {
        o++;
        continue;
      }
      const marker = b[o + 1];
      if (marker === 0xff) {
        o++;
        continue;
      }
      if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        o += 2;
        continue;
      }
      const len = u16be(o + 2);
      // SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC)
      if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
        return { height: u16be(o + 5), width: u16be(o + 7), format: 'jpeg' };
      }
      o += 2 + len;
    }
  }
  return null;
}
