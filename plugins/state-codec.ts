import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckerStateError } from './errors.js';

/**
 * A fitted state on disk: a folder with `state.json` and, for every typed array or Uint8Array in
 * the state, a raw little-endian file under `parts/`. The JSON holds `{ "$part": file, "type": … }`
 * where the array was, so large samples and models stay binary and small states stay readable.
 */

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

export interface StoredState {
  plugin: string;
  version: string;
  state: unknown;
}

interface PartRef {
  $part: string;
  type: TypedName;
}

function typedName(value: unknown): TypedName | undefined {
  for (const name of Object.keys(TYPED) as TypedName[]) if (value instanceof TYPED[name]) return name;
  return undefined;
}

function isPartRef(value: unknown): value is PartRef {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as PartRef).$part === 'string' &&
    (value as PartRef).type in TYPED
  );
}

export async function writeState(dir: string, stored: StoredState): Promise<void> {
  await mkdir(join(dir, 'parts'), { recursive: true });
  const parts: { file: string; bytes: Uint8Array }[] = [];
  const encode = (value: unknown, path: string): unknown => {
    const type = typedName(value);
    if (type) {
      const arr = value as Typed;
      const file = `parts/${parts.length}.bin`;
      parts.push({ file, bytes: new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength) });
      return { $part: file, type } satisfies PartRef;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new CheckerStateError(
        `state of ${stored.plugin} holds ${value} at ${path}; JSON cannot: store it in a Float64Array or as null`,
      );
    }
    if (Array.isArray(value)) return value.map((v, i) => encode(v, `${path}[${i}]`));
    if (value instanceof Map || value instanceof Set)
      throw new CheckerStateError(
        `state of ${stored.plugin} holds a ${value.constructor.name} at ${path}; use plain objects and arrays`,
      );
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, encode(v, `${path}.${k}`)]));
    return value;
  };
  const json = encode(stored.state, 'state');
  for (const p of parts) await writeFile(join(dir, p.file), p.bytes);
  await writeFile(
    join(dir, 'state.json'),
    `${JSON.stringify({ plugin: stored.plugin, version: stored.version, state: json }, null, 1)}\n`,
  );
}

export async function readState(dir: string): Promise<StoredState> {
  let text: string;
  try {
    text = await readFile(join(dir, 'state.json'), 'utf8');
  } catch {
    throw new CheckerStateError(`no state.json in ${dir}; a checker state is the folder that fit wrote`);
  }
  const raw = JSON.parse(text) as StoredState;
  const decode = async (value: unknown): Promise<unknown> => {
    if (isPartRef(value)) {
      const bytes = await readFile(join(dir, value.$part));
      const Ctor = TYPED[value.type];
      const copy = new Uint8Array(bytes.byteLength);
      copy.set(bytes);
      return new Ctor(copy.buffer, 0, copy.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    if (Array.isArray(value)) return Promise.all(value.map(decode));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(
        await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await decode(v)] as const)),
      );
    }
    return value;
  };
  return { plugin: raw.plugin, version: raw.version, state: await decode(raw.state) };
}
