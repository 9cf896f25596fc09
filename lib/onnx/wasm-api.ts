/**
 * The parts of the WebAssembly JavaScript API the error kernel uses. Node has them all; the
 * project's TypeScript libs (ES2023, @types/node) do not declare them, so they are typed here.
 */

/** A compiled module: made once, sent to the inference thread (modules cross threads by structured clone). */
export type WasmModule = object & { readonly __wasmModule?: never };

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  validate(bytes: Uint8Array): boolean;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
