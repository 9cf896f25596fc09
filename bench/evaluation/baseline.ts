import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runContract } from '../../activities/check/run-container.js';
import { BASE_IMAGES } from '../../common/images.js';
import { dockerBackend } from '../../test/builders/fixtures.js';
import { writeNpy } from '../../test/builders/npy-writer.js';
import type { EvalDataset } from './datasets.js';
import type { Split } from './splits.js';
import type { Verdict } from './run-checkers.js';

/**
 * The baseline, per-feature KS with Bonferroni, computed by scipy in the python-ml image on the
 * very splits the checkers see: every split's reference (as row indices) and batch (as values)
 * are written once, and one container run tests them all.
 */

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'ks_baseline.py');

export interface BaselineJob {
  data: EvalDataset;
  splits: Split[];
}

export async function runBaseline(jobs: readonly BaselineJob[], alpha: number, workDir: string): Promise<Verdict[]> {
  const dir = join(workDir, 'baseline');
  await mkdir(join(dir, 'data'), { recursive: true });
  const index: { dataset: string; reference: number[]; start: number; rows: number }[] = [];
  for (const { data, splits } of jobs) {
    const d = data.features.length;
    await writeNpy(
      join(dir, 'data', `${data.name}.values.npy`),
      data.rows,
      [d],
      (block, first, n) => block.set(data.values.subarray(first * d, (first + n) * d)),
      '<f8',
    );
    const total = splits.reduce((a, s) => a + s.batchRows, 0);
    const all = new Float64Array(total * d);
    let start = 0;
    for (const s of splits) {
      all.set(s.batch.subarray(0, s.batchRows * d), start * d);
      index.push({ dataset: data.name, reference: Array.from(s.reference), start, rows: s.batchRows });
      start += s.batchRows;
    }
    await writeNpy(
      join(dir, 'data', `${data.name}.batches.npy`),
      total,
      [d],
      (block, first, n) => block.set(all.subarray(first * d, (first + n) * d)),
      '<f8',
    );
  }
  await writeFile(join(dir, 'data', 'splits.json'), JSON.stringify({ alpha, splits: index }));
  await runContract(dockerBackend(), {
    image: BASE_IMAGES.pythonMl,
    inputs: { 'ks_baseline.py': SCRIPT, data: join(dir, 'data') },
    outputsDir: join(dir, 'out'),
    args: ['python3', '/inputs/ks_baseline.py'],
  });
  const results = JSON.parse(await readFile(join(dir, 'out', 'results.json'), 'utf8')) as {
    alarm: boolean;
    minP: number;
  }[];
  return results.map((r) => ({ alarm: r.alarm, status: r.alarm ? 'alarm' : 'ok', pValue: Math.min(1, r.minP) }));
}
