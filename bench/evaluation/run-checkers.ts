import { quietContext, type CheckerPlugin } from '../../plugins/api.js';
import { parseConfig } from '../../plugins/runner.js';
import { memoryDataset } from '../../test/builders/memory-dataset.js';
import type { Dataset } from '../../lib/data/dataset.js';
import type { EvalDataset } from './datasets.js';
import type { Split } from './splits.js';

/** One checker's verdict on one split. */
export interface Verdict {
  alarm: boolean;
  status: string;
  pValue?: number;
}

export interface EvalChecker {
  plugin: CheckerPlugin;
  /** The config for a data set (the autoencoder's model is trained per data set). */
  config(data: EvalDataset): Record<string, unknown>;
}

/** A split's reference and batch as in-memory datasets: the features and the label column. */
export function splitDatasets(data: EvalDataset, split: Split): { reference: Dataset; batch: Dataset } {
  const d = data.features.length;
  const columns = (rows: number, at: (r: number, k: number) => number) =>
    Object.fromEntries(data.features.map((f, k) => [f, Float64Array.from({ length: rows }, (_, r) => at(r, k))]));
  const ref = split.reference;
  return {
    reference: memoryDataset(`reference of ${data.name}`, {
      numeric: columns(ref.length, (r, k) => data.values[ref[r]! * d + k]!),
      categorical: { [data.labelColumn]: Array.from(ref, (i) => data.labels[i]!) },
    }),
    batch: memoryDataset(`batch of ${data.name}`, {
      numeric: columns(split.batchRows, (r, k) => split.batch[r * d + k]!),
      categorical: { [data.labelColumn]: split.batchLabels },
    }),
  };
}

/** Fits every checker on the split's reference and checks its batch, in process. */
export async function runCheckers(
  checkers: readonly EvalChecker[],
  data: EvalDataset,
  split: Split,
  configs: Map<EvalChecker, unknown>,
  seconds?: Record<string, number>,
): Promise<Verdict[]> {
  const { reference, batch } = splitDatasets(data, split);
  const out: Verdict[] = [];
  for (const c of checkers) {
    let config = configs.get(c);
    if (config === undefined) {
      config = parseConfig(c.plugin, c.config(data));
      configs.set(c, config);
    }
    const t0 = performance.now();
    const state = c.plugin.fit ? await c.plugin.fit(reference, config, quietContext()) : undefined;
    const report = await c.plugin.check(batch, state, config, quietContext(reference));
    if (seconds) seconds[c.plugin.name] = (seconds[c.plugin.name] ?? 0) + (performance.now() - t0) / 1000;
    out.push({ alarm: report.alarm, status: report.status ?? (report.alarm ? 'alarm' : 'ok'), pValue: report.pValue });
  }
  return out;
}
