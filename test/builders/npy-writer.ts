import { open } from 'node:fs/promises';

/**
 * Writes float32 .npy files (format 1.0), whole or row block by row block, so tests and the
 * benchmark can make large files without holding them in memory.
 */
export function npyHeader(shape: number[], dtype: '<f4' | '<f8' = '<f4'): Buffer {
  const dict = `{'descr': '${dtype}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  // Magic (6) + version (2) + length (2) + dict, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + dict.length + 1) / 64) * 64;
  const header = Buffer.alloc(total, 0x20);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(header, 0);
  header.writeUInt16LE(total - 10, 8);
  header.write(dict, 10, 'latin1');
  header[total - 1] = 0x0a;
  return header;
}

/** Writes `rows` rows of `rowShape`, asking `fill` for each block of rows in turn. */
export async function writeNpy(
  path: string,
  rows: number,
  rowShape: number[],
  fill: (block: Float32Array | Float64Array, firstRow: number, blockRows: number) => void,
  dtype: '<f4' | '<f8' = '<f4',
  blockRows = 8192,
): Promise<void> {
  const width = rowShape.reduce((a, b) => a * b, 1);
  const fh = await open(path, 'w');
  try {
    await fh.write(npyHeader([rows, ...rowShape], dtype));
    for (let r = 0; r < rows; r += blockRows) {
      const n = Math.min(blockRows, rows - r);
      const block = dtype === '<f4' ? new Float32Array(n * width) : new Float64Array(n * width);
      fill(block, r, n);
      await fh.write(new Uint8Array(block.buffer));
    }
  } finally {
    await fh.close();
  }
}
