import type { Dataset } from '../../lib/data/dataset.js';
import type { FeatureSelection } from './score.js';

/**
 * 1 / standard deviation of each selected feature over the reference (NaN and Inf skipped), so
 * residuals are compared in units of each feature's spread. A constant feature keeps raw units.
 */
export async function referenceScale(data: Dataset, sel: FeatureSelection, chunkRows: number): Promise<Float32Array> {
  const f = sel.names.length;
  const shift = new Float64Array(f).fill(Number.NaN);
  const sum = new Float64Array(f);
  const sumSq = new Float64Array(f);
  const count = new Float64Array(f);
  const schema = await data.schema();
  for await (const chunk of data.chunks({ schema, chunkRows })) {
    for (let i = 0; i < chunk.rows; i++) {
      for (let k = 0; k < f; k++) {
        const v = chunk.numeric[i * chunk.width + (sel.indices ? sel.indices[k]! : k)]!;
        if (!Number.isFinite(v)) continue;
        if (Number.isNaN(shift[k]!)) shift[k] = v; // shifting by a first value keeps the sums well conditioned
        const d = v - shift[k]!;
        sum[k]! += d;
        sumSq[k]! += d * d;
        count[k]!++;
      }
    }
  }
  return Float32Array.from({ length: f }, (_, k) => {
    const n = count[k]!;
    const variance = n > 1 ? (sumSq[k]! - (sum[k]! * sum[k]!) / n) / (n - 1) : 0;
    const sd = Math.sqrt(Math.max(0, variance));
    return sd > 1e-12 ? 1 / sd : 1;
  });
}
