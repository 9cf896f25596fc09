/**
 * The part of `npm run build` that tsc does not do: the error kernel's WebAssembly text
 * (lib/onnx/error-kernel.wat) assembled into dist/lib/onnx/error-kernel.wasm, where the compiled
 * package loads it, and the model server's image context (lib/serving/image/, a Dockerfile and its
 * script) copied beside the compiled serving code, which builds the image from it.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { assembleWat } from '../lib/onnx/error-wasm.js';
import { PROJECT_ROOT } from './stack/paths.js';

const SOURCE = join(PROJECT_ROOT, 'lib', 'onnx', 'error-kernel.wat');
const TARGET = join(PROJECT_ROOT, 'dist', 'lib', 'onnx', 'error-kernel.wasm');

const bytes = await assembleWat(await readFile(SOURCE, 'utf8'), SOURCE);
await mkdir(dirname(TARGET), { recursive: true });
await writeFile(TARGET, bytes);
console.log(`build: ${relative(PROJECT_ROOT, TARGET)} (${bytes.length} bytes)`);

const SERVING_IMAGE = join(PROJECT_ROOT, 'lib', 'serving', 'image');
const SERVING_TARGET = join(PROJECT_ROOT, 'dist', 'lib', 'serving', 'image');
await cp(SERVING_IMAGE, SERVING_TARGET, { recursive: true });
console.log(`build: ${relative(PROJECT_ROOT, SERVING_TARGET)}/`);
