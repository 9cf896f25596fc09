import { open } from 'node:fs/promises';
import { DataFormatError } from './errors.js';
import { csvDataset } from './csv-source.js';
import type { Dataset } from './dataset.js';
import { isNpy, npyDataset } from './npy-source.js';

/** Bytes looked at to tell a text file from a binary one. */
const SNIFF_BYTES = 4096;

/** Well-known binary formats people hand a checker by mistake, by their first bytes. */
const KNOWN_BINARY: [string, number[]][] = [
  ['a gzip file (decompress it first)', [0x1f, 0x8b]],
  ['a zip archive (e.g. .npz or .xlsx)', [0x50, 0x4b, 0x03, 0x04]],
  ['a Parquet file', [0x50, 0x41, 0x52, 0x31]],
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47]],
  ['a JPEG image', [0xff, 0xd8, 0xff]],
  ['a PDF', [0x25, 0x50, 0x44, 0x46]],
  ['an ONNX or other protobuf model', [0x08]],
  ['a pickle', [0x80]],
];

/**
 * Why `head` cannot be a CSV, or undefined when it may be one: a NUL byte, invalid UTF-8, or many
 * control characters. The answer names the file's kind when its magic is known and never quotes
 * the bytes themselves.
 */
export function binaryKind(head: Uint8Array): string | undefined {
  if (head.length === 0) return undefined;
  let control = 0;
  let nul = false;
  for (const b of head) {
    if (b === 0) nul = true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) control++;
  }
  let utf8 = true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, trimPartialUtf8(head)));
  } catch {
    utf8 = false;
  }
  if (!nul && utf8 && control <= head.length / 100) return undefined;
  const known = KNOWN_BINARY.find(([, magic]) => magic.every((b, i) => head[i] === b));
  return known ? known[0] : 'binary data';
}

/** Length of `bytes` without a UTF-8 sequence cut off at its end (the sniff may stop mid-character). */
function trimPartialUtf8(bytes: Uint8Array): number {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const b = bytes[end - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    if (need > back) end -= back;
    break;
  }
  return end;
}

/**
 * Opens a CSV or .npy file, told apart by its first bytes (the .npy magic), not by its name.
 * `label` names the data in errors and reports (default: the path).
 */
export async function openDataset(path: string, label: string = path): Promise<Dataset> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as { code?: string }).code;
    throw new DataFormatError(`cannot open ${label}${code ? ` (${code})` : ''}`);
  }
  try {
    const info = await fh.stat();
    if (info.isDirectory()) throw new DataFormatError(`${label} is a folder; a checker reads one CSV or .npy file`);
    const head = new Uint8Array(Math.min(SNIFF_BYTES, info.size));
    await fh.read(head, 0, head.length, 0);
    if (isNpy(head)) return npyDataset(path, label);
    const binary = binaryKind(head);
    if (binary)
      throw new DataFormatError(
        `${label} is not a CSV: it holds ${binary}. A checker reads a CSV with a header row or a float32/float64 .npy`,
      );
    return csvDataset(path, label);
  } finally {
    await fh.close();
  }
}
