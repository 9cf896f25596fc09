/**
 * The part of `npm run build` that tsc does not do: the error kernel's WebAssembly text
 * (lib/onnx/error-kernel.wat) assembled into dist/lib/onnx/error-kernel.wasm, where the compiled
 * package loads it. Nothing else the runtime loads by URL is left outside TypeScript.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { assembleWat } from '../lib/onnx/error-wasm.js';
import { PROJECT_ROOT } from './stack/paths.js';

const SOURCE = join(PROJECT_ROOT, 'lib', 'onnx', 'error-kernel.wat');
const TARGET = join(PROJECT_ROOT, 'dist', 'lib', 'onnx', 'error-kernel.wasm');

const bytes = await assembleWat(await readFile(SOURCE, 'utf8'), SOURCE);
await mkdir(dirname(TARGET), { recursive: true });
await writeFile(TARGET, bytes);
console.log(`build: ${relative(PROJECT_ROOT, TARGET)} (${bytes.length} bytes)`);
