import { PNG } from 'pngjs';

/** Thumbnails are scaled up (nearest neighbour) until their longer side is at least this many pixels. */
const MIN_SIDE = 96;

/**
 * The shape of one image sample, from the session's `imageShape`, or from a .npy pool's trailing
 * dimensions ([H, W], or [C, H, W] with 1 or 3 channels, or [H, W, C]). Undefined for tabular data.
 */
export function imageShapeOf(
  featureShape: number[],
  declared?: number[],
): { channels: 1 | 3; height: number; width: number; channelsLast: boolean } | undefined {
  const shape = declared ?? featureShape;
  if (shape.length === 2) return { channels: 1, height: shape[0]!, width: shape[1]!, channelsLast: false };
  if (shape.length === 3 && (shape[0] === 1 || shape[0] === 3))
    return { channels: shape[0], height: shape[1]!, width: shape[2]!, channelsLast: false };
  if (shape.length === 3 && (shape[2] === 1 || shape[2] === 3))
    return { channels: shape[2], height: shape[0]!, width: shape[1]!, channelsLast: true };
  return undefined;
}

/** Encodes one sample as a PNG, its values stretched to the full grey (or colour) range. */
export function thumbnailPng(
  values: ArrayLike<number>,
  img: { channels: 1 | 3; height: number; width: number; channelsLast: boolean },
): Buffer {
  const { channels, height, width } = img;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const span = hi > lo ? hi - lo : 1;
  const scale = Math.max(1, Math.ceil(MIN_SIDE / Math.max(height, width)));
  const png = new PNG({ width: width * scale, height: height * scale });
  const at = (c: number, y: number, x: number) =>
    img.channelsLast ? (y * width + x) * channels + c : (c * height + y) * width + x;
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const o = (y * width * scale + x) * 4;
      for (let c = 0; c < 3; c++) {
        const v = values[at(channels === 1 ? 0 : c, Math.floor(y / scale), Math.floor(x / scale))]!;
        png.data[o + c] = Number.isFinite(v) ? Math.round(((v - lo) / span) * 255) : 0;
      }
      png.data[o + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
