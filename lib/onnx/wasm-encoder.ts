/**
 * The few pieces of the WebAssembly binary format that the error kernel needs: LEB128 numbers,
 * sections, a function type table, one memory import, exported functions, and opcode constants
 * (scalar and 128-bit SIMD). Enough to write a small kernel as arrays of bytes, with no compiler.
 */

export const i32 = 0x7f;
export const f32 = 0x7d;
export const f64 = 0x7c;
export const v128 = 0x7b;
/** Block type of a `block`, `loop` or `if` that leaves nothing on the stack. */
export const VOID = 0x40;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const simd = (op: number) => [0xfd, ...uleb(op)];
/** A memory access: alignment (log2 bytes) and a constant byte offset. */
const memarg = (align: number, offset = 0) => [...uleb(align), ...uleb(offset)];

/** A float constant's little-endian bytes: single precision (4) or double (8). */
function floatBytes(x: number, size: 4 | 8): Uint8Array {
  const view = new DataView(new ArrayBuffer(size));
  if (size === 4) view.setFloat32(0, x, true);
  else view.setFloat64(0, x, true);
  return new Uint8Array(view.buffer);
}

/** Instructions, each a function returning its bytes (immediates as arguments). */
export const op = {
  block: (type = VOID) => [0x02, type],
  loop: (type = VOID) => [0x03, type],
  if: (type = VOID) => [0x04, type],
  else: () => [0x05],
  end: () => [0x0b],
  br: (depth: number) => [0x0c, ...uleb(depth)],
  call: (fn: number) => [0x10, ...uleb(fn)],
  select: () => [0x1b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i32Const: (n: number) => [0x41, ...sleb(n)],
  i32Eqz: () => [0x45],
  i32Eq: () => [0x46],
  i32LtU: () => [0x49],
  i32GeU: () => [0x4f],
  i32Add: () => [0x6a],
  i32Sub: () => [0x6b],
  i32Mul: () => [0x6c],
  i32And: () => [0x71],
  i32Shl: () => [0x74],
  f32Load: (offset = 0) => [0x2a, ...memarg(2, offset)],
  f32Store: (offset = 0) => [0x38, ...memarg(2, offset)],
  f32Const: (x: number) => [0x43, ...floatBytes(x, 4)],
  f32Add: () => [0x92],
  f32Sub: () => [0x93],
  f32Mul: () => [0x94],
  f64Load: (offset = 0) => [0x2b, ...memarg(3, offset)],
  f64Store: (offset = 0) => [0x39, ...memarg(3, offset)],
  f64Const: (x: number) => [0x44, ...floatBytes(x, 8)],
  f64Ne: () => [0x62],
  f64Add: () => [0xa0],
  f64Sub: () => [0xa1],
  f64Mul: () => [0xa2],
  f64Div: () => [0xa3],
  f64ConvertI32U: () => [0xb8],
  f64PromoteF32: () => [0xbb],
  v128Load: (offset = 0) => [...simd(0x00), ...memarg(4, offset)],
  v128Store: (offset = 0) => [...simd(0x0b), ...memarg(4, offset)],
  f32x4Splat: () => simd(0x13),
  f32x4ExtractLane: (lane: number) => [...simd(0x1f), lane],
  f32x4Add: () => simd(0xe4),
  f32x4Sub: () => simd(0xe5),
  f32x4Mul: () => simd(0xe6),
};

export interface WasmFunction {
  name: string;
  params: number[];
  results: number[];
  /** Extra locals after the params, by type. */
  locals: number[];
  body: number[][];
}

const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, bytes: number[]) => [id, ...uleb(bytes.length), ...bytes];
const name = (s: string) => vec([...Buffer.from(s, 'utf8')].map((b) => [b]));

/** A module that imports its memory as `env.memory` and exports `functions` by name (function i is called as `op.call(i)`). */
export function encodeModule(functions: WasmFunction[]): Uint8Array {
  const types = section(
    1,
    vec(functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))])),
  );
  const imports = section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]]));
  const funcs = section(3, vec(functions.map((_, i) => uleb(i))));
  const exports = section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)])));
  const code = section(
    10,
    vec(
      functions.map((f) => {
        const locals = vec(f.locals.map((t) => [1, t]));
        const body = [...locals, ...f.body.flat(), 0x0b];
        return [...uleb(body.length), ...body];
      }),
    ),
  );
  return Uint8Array.from([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...types,
    ...imports,
    ...funcs,
    ...exports,
    ...code,
  ]);
}

/** The parts of the WebAssembly JavaScript API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
}
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
