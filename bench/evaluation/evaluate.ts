import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import driftAutoencoder from '../../plugins/drift-autoencoder/index.js';
import featureDrift from '../../plugins/feature-drift/index.js';
import integrity from '../../plugins/integrity/index.js';
import mmdDrift from '../../plugins/mmd-drift/index.js';
import type { CheckerPlugin } from '../../plugins/api.js';
import { wilsonInterval } from '../../lib/stats/wilson.js';
import { cachedAutoencoder, exportedDatasets } from '../../test/builders/fixtures.js';
import { writeCsvText } from '../../test/builders/data-tools.js';
import { runBaseline } from './baseline.js';
import { DATASET_SPECS, loadDataset, type EvalDataset } from './datasets.js';
import { runCheckers, type EvalChecker, type Verdict } from './run-checkers.js';
import { batchSizes, makeSplit, planSplits, type ScenarioSpec, type ShiftKind, type Split } from './splits.js';

/**
 * The checker evaluation: every built-in checker and the baseline on the same splits of several
 * scikit-learn data sets, at a tiny and a large batch size, without a shift (false alarms) and
 * with each kind of shift (detection), optionally over several shift sizes (a power curve).
 */

export interface EvaluationOptions {
  alpha: number;
  /** i.i.d. splits per data set and batch size. */
  nullSplits: number;
  /** Splits per shift, data set and batch size. */
  detectionSplits: number;
  /** Batch sizes the shifts are measured at (default: both). */
  detectionSizes?: ('small' | 'large')[];
  /** Scaling factors for the power curve (large batches), and splits per factor. */
  powerLevels?: number[];
  powerSplits?: number;
  /** Data sets by name (default: all). */
  datasets?: string[];
  log?: (line: string) => void;
}

export const BASELINE = 'ks-bonferroni (scipy, baseline)';

export interface Cell {
  dataset: string;
  checker: string;
  shift: ShiftKind;
  level?: number;
  size: 'small' | 'large';
  batchRows: number;
  runs: number;
  alarms: number;
  insufficient: number;
  rate: number;
  interval: [number, number];
}

export interface Evaluation {
  options: EvaluationOptions;
  datasets: { name: string; traits: string; rows: number; features: number; pool: number; hidden: number }[];
  cells: Cell[];
  /** Where the time went, in seconds. */
  timings: Record<string, number>;
}

function evalCheckers(models: Map<string, string>, alpha: number): EvalChecker[] {
  const withAlpha = (plugin: CheckerPlugin, extra: (d: EvalDataset) => Record<string, unknown> = () => ({})) => ({
    plugin,
    config: (d: EvalDataset) => ({ alpha, ...extra(d) }),
  });
  return [
    withAlpha(driftAutoencoder, (d) => ({ model: models.get(d.name)!, columns: d.features })),
    withAlpha(featureDrift, (d) => ({ labelColumn: d.labelColumn })),
    withAlpha(integrity),
    withAlpha(mmdDrift),
  ];
}

interface Job {
  data: EvalDataset;
  scenario: ScenarioSpec;
  size: 'small' | 'large';
  splits: Split[];
}

export async function evaluate(opts: EvaluationOptions, workDir: string): Promise<Evaluation> {
  const log = opts.log ?? (() => undefined);
  const timings: Record<string, number> = {};
  const time = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = Date.now();
    try {
      return await fn();
    } finally {
      timings[what] = (timings[what] ?? 0) + (Date.now() - t0) / 1000;
    }
  };
  await mkdir(workDir, { recursive: true });
  const dir = await time('export data sets', exportedDatasets);
  const specs = DATASET_SPECS.filter((s) => !opts.datasets || opts.datasets.includes(s.name));
  const datasets = await Promise.all(specs.map((s) => loadDataset(dir, s)));
  const plans = datasets.map(planSplits);

  // One autoencoder per data set, trained on its pool (cached by content in the tools cache).
  const models = new Map<string, string>();
  await time('train autoencoders', async () => {
    for (const plan of plans) {
      const file = join(workDir, `${plan.data.name}-train.csv`);
      const d = plan.data.features.length;
      await writeCsvText(
        file,
        plan.data.features.join(','),
        plan.pool.map((i) => Array.from(plan.data.values.subarray(i * d, (i + 1) * d), (v) => String(v)).join(',')),
      );
      const ae = await cachedAutoencoder(file, { epochs: 100, seed: 0 });
      log(`${plan.data.name}: autoencoder ${ae.cached ? 'from the cache' : 'trained'}`);
      models.set(plan.data.name, ae.model);
    }
  });

  const jobs: Job[] = [];
  for (const plan of plans) {
    const sizes = batchSizes(plan);
    const shifts: ShiftKind[] = ['scaling', 'balance', 'subpopulation', 'noise', 'unseen'];
    for (const size of ['small', 'large'] as const) {
      const make = (scenario: ScenarioSpec, count: number, base: number) =>
        jobs.push({
          data: plan.data,
          scenario,
          size,
          splits: Array.from({ length: count }, (_, s) => makeSplit(plan, scenario, sizes[size], base + s)),
        });
      make({ shift: 'none' }, opts.nullSplits, 0);
      if ((opts.detectionSizes ?? ['small', 'large']).includes(size))
        shifts
          .filter((s) => s !== 'unseen' || plan.hidden.length > 0)
          .forEach((shift, k) => make({ shift }, opts.detectionSplits, 10_000 * (k + 1)));
      if (size === 'large')
        (opts.powerLevels ?? []).forEach((level, k) =>
          make({ shift: 'scaling', level }, opts.powerSplits ?? opts.detectionSplits, 100_000 + 1000 * k),
        );
    }
  }
  const splitCount = jobs.reduce((a, j) => a + j.splits.length, 0);
  log(`${splitCount} splits over ${datasets.length} data sets`);

  const baseline = time('baseline (python, beside the checkers)', () =>
    runBaseline(
      datasets.map((data) => ({ data, splits: jobs.filter((j) => j.data === data).flatMap((j) => j.splits) })),
      opts.alpha,
      workDir,
    ),
  );
  baseline.catch(() => undefined);

  const checkers = evalCheckers(models, opts.alpha);
  const perChecker: Record<string, number> = {};
  const verdicts = new Map<Job, Verdict[][]>();
  await time('checkers', async () => {
    for (const data of datasets) {
      const configs = new Map<EvalChecker, unknown>();
      const t0 = Date.now();
      for (const job of jobs.filter((j) => j.data === data)) {
        const out: Verdict[][] = [];
        for (const s of job.splits) out.push(await runCheckers(checkers, data, s, configs, perChecker));
        verdicts.set(job, out);
      }
      log(`${data.name}: checkers done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  });
  for (const [name, sec] of Object.entries(perChecker)) timings[`  of which ${name} (fit + check)`] = sec;
  const baseVerdicts = await baseline;

  const cells: Cell[] = [];
  let b = 0;
  const byData = new Map<EvalDataset, Job[]>();
  for (const j of jobs) byData.set(j.data, [...(byData.get(j.data) ?? []), j]);
  const addCell = (job: Job, checker: string, vs: Verdict[]) => {
    const alarms = vs.filter((v) => v.alarm).length;
    cells.push({
      dataset: job.data.name,
      checker,
      shift: job.scenario.shift,
      level: job.scenario.level,
      size: job.size,
      batchRows: job.splits[0]!.batchRows,
      runs: vs.length,
      alarms,
      insufficient: vs.filter((v) => v.status === 'insufficient-data').length,
      rate: alarms / vs.length,
      interval: wilsonInterval(alarms, vs.length),
    });
  };
  for (const data of datasets)
    for (const job of byData.get(data)!) {
      const per = verdicts.get(job)!;
      checkers.forEach((c, k) =>
        addCell(
          job,
          c.plugin.name,
          per.map((v) => v[k]!),
        ),
      );
      addCell(job, BASELINE, baseVerdicts.slice(b, b + job.splits.length));
      b += job.splits.length;
    }
  const result: Evaluation = {
    options: { ...opts, log: undefined },
    datasets: plans.map((p) => ({
      name: p.data.name,
      traits: p.data.traits,
      rows: p.data.rows,
      features: p.data.features.length,
      pool: p.pool.length,
      hidden: p.hidden.length,
    })),
    cells,
    timings,
  };
  await writeFile(join(workDir, 'evaluation.json'), JSON.stringify(result, null, 1));
  return result;
}
