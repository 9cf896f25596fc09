import { PNG } from 'pngjs';

const RAMP = ' .:-=+*#%@';

/** A PNG as text art (at most `maxWidth` characters wide), so a terminal user can see an image sample. */
export function asciiArt(pngBytes: Buffer, maxWidth = 32): string {
  const png = PNG.sync.read(pngBytes);
  const step = Math.max(1, Math.ceil(png.width / maxWidth));
  const lines: string[] = [];
  // Characters are about twice as tall as wide: sample rows twice as sparsely.
  for (let y = 0; y < png.height; y += step * 2) {
    let line = '';
    for (let x = 0; x < png.width; x += step) {
      const o = (y * png.width + x) * 4;
      const grey = (png.data[o]! + png.data[o + 1]! + png.data[o + 2]!) / (3 * 255);
      line += RAMP[Math.min(RAMP.length - 1, Math.floor(grey * RAMP.length))]!.repeat(2);
    }
    lines.push(line.trimEnd());
  }
  return lines.join('\n');
}

/** Fetches a preview URL and draws it; undefined when it cannot be fetched. */
export async function asciiPreview(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    return asciiArt(Buffer.from(await res.arrayBuffer()));
  } catch {
    return undefined;
  }
}
