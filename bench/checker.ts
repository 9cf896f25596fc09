/**
 * drift-autoencoder throughput: 200,000 rows × 64 features scored from a .npy file through the
 * plugin (chunked reads, inference, reconstruction errors, exceedance and KS statistics, top-k,
 * per-feature sums) against bare InferenceSession.run over the same rows as tensors built
 * beforehand, with the same model and session options, in the same process.
 *
 * Each timed run starts from a collected heap: the raw loop leaves a 2 MB output tensor a batch
 * behind, and without a collection in between the plugin run after it paid for collecting them
 * (10–50 ms in the rounds that followed a raw run).
 *
 * Last line: checker ratio=<plugin rows/s ÷ raw rows/s> rows_per_s=<plugin> peak_rss_mb=<peak>
 * (peak RSS of the process after the plugin runs, before the raw baseline holds all rows in memory).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ort from 'onnxruntime-node';
import { quietContext } from '../plugins/api.js';
import { npyDataset } from '../lib/data/npy-source.js';
import { driftAutoencoder } from '../plugins/drift-autoencoder/plugin.js';
import { gaussian } from '../test/builders/data-tools.js';
import { writeNpy } from '../test/builders/npy-writer.js';
import { buildDenseModel } from '../test/builders/onnx-builder.js';
import { median, ratioSummary } from './harness.js';

const ROWS = 200_000;
const FEATURES = 64;
/** A dense autoencoder 64 → 128 → 32 → 128 → 64 with ReLU (random weights: throughput only). */
const WIDTHS = [FEATURES, 128, 32, 128, FEATURES];
/**
 * Rounds of one plugin run and one raw run each. A single round's ratio moves by ±0.15 on this
 * machine; the median of 21 is steadier than that of the 9 used before (about ±0.03 against ±0.05).
 */
const ROUNDS = 21;

/** A full garbage collection, so that neither side pays for garbage the other left. */
const collectGarbage = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

export async function checkerBench(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'tidemark-bench-checker-'));
  try {
    const modelPath = join(dir, 'model.onnx');
    await writeFile(modelPath, buildDenseModel({ widths: WIDTHS }));
    const fill = (seed: number) => {
      const g = gaussian(seed);
      return (block: Float32Array | Float64Array) => block.forEach((_, i) => (block[i] = g()));
    };
    const refPath = join(dir, 'reference.npy');
    const batchPath = join(dir, 'batch.npy');
    await writeNpy(refPath, 20_000, [FEATURES], fill(1));
    await writeNpy(batchPath, ROWS, [FEATURES], fill(2));

    const config = driftAutoencoder.configSchema.parse({ model: modelPath });
    const state = await driftAutoencoder.fit!(npyDataset(refPath), config, quietContext());

    // Plugin: everything from the file on disk to the report.
    const cpu = { plugin: [] as number[], raw: [] as number[] };
    const cpuMs = (since: NodeJS.CpuUsage) => {
      const d = process.cpuUsage(since);
      return (d.user + d.system) / 1000;
    };
    const plugin = async () => {
      collectGarbage();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const report = await driftAutoencoder.check(npyDataset(batchPath), state, config, quietContext());
      if (report.details.rows !== ROWS)
        throw new Error(`plugin scored ${String(report.details.rows)} rows, not ${ROWS}`);
      const ms = performance.now() - t0;
      cpu.plugin.push(cpuMs(c0));
      return ms;
    };
    await plugin(); // warm-up, and the plugin's peak memory before the baseline's tensors exist
    const peakRssMb = process.resourceUsage().maxRSS / 1024;

    // Raw: the same rows as tensors of the plugin's batch size, built before the clock starts.
    const session = await ort.InferenceSession.create(new Uint8Array(await readFile(modelPath)), {
      intraOpNumThreads: config.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    const tensors: ort.Tensor[] = [];
    for await (const chunk of npyDataset(batchPath).chunks({ chunkRows: config.batchRows })) {
      tensors.push(new ort.Tensor('float32', chunk.numeric as Float32Array, [chunk.rows, FEATURES]));
    }
    const raw = async () => {
      collectGarbage();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (const t of tensors) await session.run({ input: t });
      const ms = performance.now() - t0;
      cpu.raw.push(cpuMs(c0));
      return ms;
    };
    await raw(); // warm-up

    // Rounds alternate which goes first, so that drifts in the machine's load hit both alike.
    const pluginMs: number[] = [];
    const rawMs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      if (r % 2) rawMs.push(await raw());
      pluginMs.push(await plugin());
      if (!(r % 2)) rawMs.push(await raw());
    }
    await session.release();

    const ratios = pluginMs.map((p, r) => rawMs[r]! / p);
    const ratio = ratioSummary(ratios);
    const pluginRate = ROWS / (median(pluginMs) / 1000);
    console.log(
      `model ${WIDTHS.join('-')}, ${ROWS} rows, batch ${config.batchRows} rows, ORT intra-op threads ${config.threads}, ${ROUNDS} alternating rounds`,
    );
    console.log(
      `plugin: ${pluginMs.map((m) => m.toFixed(0)).join(', ')} ms   raw InferenceSession.run: ${rawMs.map((m) => m.toFixed(0)).join(', ')} ms`,
    );
    console.log(
      `CPU time of the process (all threads), median: plugin ${median(cpu.plugin.slice(1)).toFixed(0)} ms, raw ${median(cpu.raw.slice(1)).toFixed(0)} ms`,
    );
    console.log(`ratio per round (raw ms ÷ plugin ms): ${ratio.text}`);
    console.log(
      `checker ratio=${ratio.median.toFixed(3)} rows_per_s=${pluginRate.toFixed(0)} peak_rss_mb=${peakRssMb.toFixed(0)}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
