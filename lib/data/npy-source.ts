import { open, type FileHandle } from 'node:fs/promises';
import { DataFormatError } from './errors.js';
import { DEFAULT_CHUNK_BYTES, type Chunk, type DataSchema, type Dataset, type ReadOptions } from './dataset.js';

/** Parsed header of a NumPy .npy file (format versions 1 to 3). */
export interface NpyHeader {
  dtype: '<f4' | '<f8' | '>f4' | '>f8';
  shape: number[];
  /** Byte offset of the first value. */
  dataOffset: number;
}

/** Bytes read for a header at first; a longer header takes a second read. */
const HEAD_READ = 4096;

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

export function isNpy(firstBytes: Uint8Array): boolean {
  return Buffer.from(firstBytes.subarray(0, 6)).equals(MAGIC);
}

/** Reads the header of the .npy open as `handle` (`path` names it in errors). */
export async function readNpyHeader(path: string, handle: FileHandle): Promise<NpyHeader> {
  // One read takes in the usual header whole (NumPy pads it to a multiple of 64 bytes).
  const pre = Buffer.alloc(HEAD_READ);
  const { bytesRead } = await handle.read(pre, 0, HEAD_READ, 0);
  if (bytesRead < 10 || !isNpy(pre)) throw new DataFormatError(`${path}: not a .npy file (no \\x93NUMPY magic)`);
  const major = pre[6]!;
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = lenBytes === 2 ? pre.readUInt16LE(8) : pre.readUInt32LE(8);
  const start = 8 + lenBytes;
  let text = pre.subarray(start, Math.min(bytesRead, start + headerLen));
  if (text.length < headerLen) {
    text = Buffer.alloc(headerLen);
    await handle.read(text, 0, headerLen, start);
  }
  const header = text.toString('latin1');
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new DataFormatError(
      `${path}: unreadable .npy header: ${header
        .trim()
        .replace(/[^\x20-\x7e]/g, '?')
        .slice(0, 200)}`,
    );
  const dtype = descr === '<f4' || descr === '<f8' || descr === '>f4' || descr === '>f8' ? descr : undefined;
  if (!dtype)
    throw new DataFormatError(
      `${path}: .npy dtype ${descr} is not supported; save float32 or float64 (e.g. x.astype("float32"))`,
    );
  if (fortran === 'True')
    throw new DataFormatError(
      `${path}: .npy is in Fortran order, which cannot be streamed by rows; save np.ascontiguousarray(x)`,
    );
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  if (shape.length < 2)
    throw new DataFormatError(
      `${path}: .npy shape (${shape.join(', ')}) is not at least 2-D; rows × features (or rows × image dims) is needed`,
    );
  return { dtype, shape, dataOffset: start + headerLen };
}

/** Bytes per value of a header's dtype (float32 or float64). */
const itemBytes = (h: NpyHeader) => (h.dtype.endsWith('4') ? 4 : 8);

/** Throws when a file of `size` bytes is shorter than its header's shape needs. */
function assertNpyLength(path: string, h: NpyHeader, size: number): void {
  const expected = h.dataOffset + h.shape.reduce((a, b) => a * b, 1) * itemBytes(h);
  if (size < expected)
    throw new DataFormatError(
      `${path}: .npy is truncated: the header's shape (${h.shape.join(', ')}) needs ${expected} bytes, the file has ${size}`,
    );
}

/** The header of the .npy at `path`, checked against the file's length. */
async function readCompleteHeader(path: string, fh: FileHandle): Promise<NpyHeader> {
  const [h, info] = await Promise.all([readNpyHeader(path, fh), fh.stat()]);
  assertNpyLength(path, h, info.size);
  return h;
}

function byteSwap(bytes: Uint8Array, size: number): void {
  for (let i = 0; i < bytes.length; i += size) bytes.subarray(i, i + size).reverse();
}

/** A .npy file of float32 or float64, rows along the first axis, trailing axes flattened into features. */
export function npyDataset(path: string, label: string = path): Dataset {
  const schema = async (): Promise<DataSchema> => {
    const fh = await open(path, 'r');
    let h: NpyHeader;
    try {
      h = await readCompleteHeader(label, fh);
    } finally {
      await fh.close();
    }
    const featureShape = h.shape.slice(1);
    const features = featureShape.reduce((a, b) => a * b, 1);
    const columns = Array.from({ length: features }, (_, j) => ({ name: `f${j}`, kind: 'numeric' as const }));
    return { format: 'npy', columns, featureShape, dtype: h.dtype, rows: h.shape[0]!, dataOffset: h.dataOffset };
  };

  async function* chunks(options: ReadOptions = {}): AsyncGenerator<Chunk> {
    const fh = await open(path, 'r');
    let next: Promise<Chunk> | undefined;
    try {
      const h = await readCompleteHeader(label, fh);
      const rows = h.shape[0]!;
      const width = h.shape.slice(1).reduce((a, b) => a * b, 1);
      const itemSize = itemBytes(h);
      const rowBytes = width * itemSize;
      const byBytes = Math.max(1, Math.floor((options.chunkBytes ?? DEFAULT_CHUNK_BYTES) / Math.max(1, rowBytes)));
      const perChunk = Math.max(1, Math.min(options.chunkRows ?? byBytes, byBytes));
      const read = async (offset: number): Promise<Chunk> => {
        const n = Math.min(perChunk, rows - offset);
        const numeric = itemSize === 4 ? new Float32Array(n * width) : new Float64Array(n * width);
        const bytes = new Uint8Array(numeric.buffer);
        let done = 0;
        while (done < bytes.length) {
          const { bytesRead } = await fh.read(
            bytes,
            done,
            bytes.length - done,
            h.dataOffset + offset * rowBytes + done,
          );
          if (bytesRead === 0) throw new DataFormatError(`${label}: unexpected end of file at row ${offset}`);
          done += bytesRead;
        }
        if (h.dtype.startsWith('>')) byteSwap(bytes, itemSize);
        return {
          offset,
          rows: n,
          width,
          numeric,
          categorical: new Map(),
          missing: new Uint32Array(width),
          invalid: new Uint32Array(width),
        };
      };
      // Reads one chunk ahead, so disk reads overlap the consumer's work on the previous chunk.
      next = rows > 0 ? read(0) : undefined;
      for (let offset = 0; next;) {
        const chunk = await next;
        offset += chunk.rows;
        next = offset < rows ? read(offset) : undefined;
        yield chunk;
      }
    } finally {
      // A consumer that stops early leaves one read in flight: let it settle before closing.
      await next?.catch(() => undefined);
      await fh.close();
    }
  }

  const header = async () => (await schema()).columns.map((c) => c.name);
  return { path, label, format: 'npy', schema, chunks, header };
}
