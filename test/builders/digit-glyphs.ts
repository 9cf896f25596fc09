/**
 * 8×8 images of the digits 0-9, drawn from a 5×7 bitmap font with a small random shift and
 * pixel noise, in the 0-16 range of scikit-learn's digits: image data for labeling tests and the
 * console's screenshots, with known labels and no dataset to download.
 */
const FONT: Record<string, string[]> = {
  '0': ['01110', '10001', '10011', '10101', '11001', '10001', '01110'],
  '1': ['00100', '01100', '00100', '00100', '00100', '00100', '01110'],
  '2': ['01110', '10001', '00001', '00010', '00100', '01000', '11111'],
  '3': ['11110', '00001', '00001', '01110', '00001', '00001', '11110'],
  '4': ['00010', '00110', '01010', '10010', '11111', '00010', '00010'],
  '5': ['11111', '10000', '11110', '00001', '00001', '10001', '01110'],
  '6': ['00110', '01000', '10000', '11110', '10001', '10001', '01110'],
  '7': ['11111', '00001', '00010', '00100', '01000', '01000', '01000'],
  '8': ['01110', '10001', '10001', '01110', '10001', '10001', '01110'],
  '9': ['01110', '10001', '10001', '01111', '00001', '00010', '01100'],
};

/** A seeded uniform [0, 1) generator (an LCG), so a test's images are the same every run. */
export function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => (x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** One 8×8 image (64 values, row by row) of `digit`, shifted by up to a pixel, with noise. */
export function digitImage(digit: number, rand: () => number): number[] {
  const glyph = FONT[String(digit)]!;
  const dx = 1 + Math.floor(rand() * 2);
  const dy = Math.floor(rand() * 2);
  const px = new Array<number>(64).fill(0);
  glyph.forEach((row, y) =>
    [...row].forEach((bit, x) => {
      if (bit === '1') px[(y + dy) * 8 + x + dx] = 12 + Math.round(rand() * 4);
    }),
  );
  return px.map((v) => Math.min(16, v + (rand() < 0.08 ? Math.round(rand() * 5) : 0)));
}
