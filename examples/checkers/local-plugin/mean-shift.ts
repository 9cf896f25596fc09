/**
 * A user checker plugin as a local module. Name it by path in a pipeline or registry:
 *   checker: ./examples/checkers/local-plugin/mean-shift.ts
 *
 * fit records each numeric column's mean and spread; check alarms when a batch column's mean
 * moved further than `maxShift` reference standard deviations.
 */
import { z } from 'zod';
import { defineChecker } from '../../../plugins/api.js';
import { numericColumns, type Dataset } from '../../../lib/data/dataset.js';

const configSchema = z.object({
  /** Alarm when a mean moves more than this many reference standard deviations. */
  maxShift: z.number().positive().default(0.5),
});

interface MeanShiftState {
  columns: { name: string; mean: number; sd: number }[];
}

/** Streams the data once; returns per-column count, mean and standard deviation of finite values. */
async function columnMoments(data: Dataset): Promise<MeanShiftState['columns']> {
  const schema = await data.schema();
  const names = numericColumns(schema).map((c) => c.name);
  const n = new Float64Array(names.length);
  const sum = new Float64Array(names.length);
  const sumSq = new Float64Array(names.length);
  for await (const chunk of data.chunks({ schema })) {
    for (let i = 0; i < chunk.rows; i++) {
      for (let k = 0; k < chunk.width; k++) {
        const v = chunk.numeric[i * chunk.width + k]!;
        if (!Number.isFinite(v)) continue;
        n[k]!++;
        sum[k]! += v;
        sumSq[k]! += v * v;
      }
    }
  }
  return names.map((name, k) => {
    const mean = n[k]! ? sum[k]! / n[k]! : 0;
    const variance = n[k]! > 1 ? (sumSq[k]! - n[k]! * mean * mean) / (n[k]! - 1) : 0;
    return { name, mean, sd: Math.sqrt(Math.max(variance, 0)) };
  });
}

const meanShift = defineChecker({
  name: 'mean-shift',
  version: '0.1.0',
  configSchema,
  async fit(reference): Promise<MeanShiftState> {
    return { columns: await columnMoments(reference) };
  },
  async check(batch, state, config) {
    if (!state) throw new Error('mean-shift needs its fitted state');
    const now = new Map((await columnMoments(batch)).map((c) => [c.name, c]));
    const perFeature = state.columns.map((ref) => {
      const shift = Math.abs((now.get(ref.name)?.mean ?? ref.mean) - ref.mean) / (ref.sd || 1);
      return { name: ref.name, score: shift, alarm: shift > config.maxShift, test: 'mean shift in reference SDs' };
    });
    const score = Math.max(0, ...perFeature.map((f) => f.score));
    return {
      plugin: 'mean-shift',
      alarm: score > config.maxShift,
      score,
      threshold: config.maxShift,
      perFeature,
      details: { columns: perFeature.length },
    };
  },
});

export default meanShift;
