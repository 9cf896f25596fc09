import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../../common/artifact.js';
import type { DataOptions, PendingSample, SelectBatchInput, SelectBatchResult } from '../../common/labeling.js';
import { csvHeader } from '../../lib/data/csv-source.js';
import { numericColumns, withCategorical, type DataSchema } from '../../lib/data/dataset.js';
import { openDataset } from '../../lib/data/open-dataset.js';
import { TopK } from '../../lib/stats/top-k.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';
import type { TidemarkDeps } from '../deps.js';
import { LabelingDataError } from '../errors.js';
import { DIVERSIFY_POOL_FACTOR, diversify, type Candidate } from './diversify.js';
import { readLedgerIds } from './ledger.js';
import { openPoolScorer, type PoolScorer } from './pool-scorer.js';
import { imageShapeOf, thumbnailPng } from './thumbnail.js';

/** Rows of at most this many columns are shown in the `pending` query; wider ones only in the stored batch. */
const MAX_ROW_COLUMNS = 64;
const CHUNK_ROWS = 2048;

/** The stored batch of a round (JSON in MinIO): what the merge reads back, and what any UI may fetch. */
export interface StoredBatch {
  round: number;
  pool: ArtifactRef;
  /** The pool's columns in file order (id column excluded): the keys of each row. */
  columns: string[];
  samples: {
    id: string;
    index: number;
    score: number;
    row: Record<string, number | string | null>;
    thumbnail?: ArtifactRef;
  }[];
}

/** Reads a batch stored by `selectBatch`. */
export async function readStoredBatch(store: ArtifactStore, ref: ArtifactRef): Promise<StoredBatch> {
  return JSON.parse((await store.getBytes(ref)).toString('utf8')) as StoredBatch;
}

/** The pool's columns as the session reads them: ids, labels and the scorer's features told apart. */
export interface PoolLayout {
  schema: DataSchema;
  columns: string[];
  /** Indices into a chunk's numeric row of the features fed to the scorer. */
  featureIdx: number[];
  featureNames: string[];
  featureShape: number[];
  image?: ReturnType<typeof imageShapeOf>;
}

export function poolLayout(schema0: DataSchema, data: DataOptions, where: string): PoolLayout {
  const names = schema0.columns.map((c) => c.name);
  const special = [data.idColumn, data.labelColumn].filter((c): c is string => !!c && names.includes(c));
  if (data.idColumn && !names.includes(data.idColumn))
    throw new LabelingDataError(`${where} has no id column "${data.idColumn}"; its columns are ${names.join(', ')}`);
  const schema = withCategorical(schema0, special);
  const numeric = numericColumns(schema).map((c) => c.name);
  const wanted = data.features ?? numeric;
  const featureIdx = wanted.map((name) => {
    const i = numeric.indexOf(name);
    if (i < 0)
      throw new LabelingDataError(
        `${where}: feature "${name}" is not a numeric column; numeric columns are ${numeric.join(', ')}`,
      );
    return i;
  });
  if (featureIdx.length === 0) throw new LabelingDataError(`${where} has no numeric column to score`);
  const all = !data.features && schema.format === 'npy';
  const featureShape = all ? schema.featureShape : [featureIdx.length];
  const image = imageShapeOf(schema.format === 'npy' ? schema.featureShape : [], data.imageShape);
  if (image && data.imageShape && data.imageShape.reduce((a, b) => a * b, 1) !== numeric.length) {
    throw new LabelingDataError(
      `data.imageShape [${data.imageShape.join(', ')}] holds ${data.imageShape.reduce((a, b) => a * b, 1)} values, but ${where} has ${numeric.length} numeric columns per row`,
    );
  }
  return {
    schema,
    columns: names.filter((n) => n !== data.idColumn),
    featureIdx,
    featureNames: wanted,
    featureShape,
    image,
  };
}

interface Kept extends Candidate {
  id: string;
  numeric: Float64Array;
  categorical: Record<string, string | null>;
}

/**
 * Scores the pool in bounded chunks, leaves out samples labeled in earlier rounds, keeps the
 * top candidates in a heap, optionally spreads them out, and stores the batch with a thumbnail
 * per image sample.
 */
export async function selectBatch(
  deps: TidemarkDeps,
  input: SelectBatchInput,
  heartbeat: (rows: number) => void,
): Promise<SelectBatchResult> {
  await mkdir(deps.workDir, { recursive: true }); // a fresh state folder has none yet
  const dir = await mkdtemp(join(deps.workDir, 'labeling-select-'));
  try {
    const poolPath = join(dir, 'pool');
    const labeledPath = join(dir, 'labeled.csv');
    await Promise.all([deps.store.get(input.pool, poolPath), deps.store.get(input.labeled, labeledPath)]);
    const pool = await openDataset(poolPath);
    const layout = poolLayout(await pool.schema(), input.data, `the pool (${input.pool.name})`);
    await checkLabeledColumns(labeledPath, input, layout);
    const excluded = input.ledger ? await readLedgerIds(deps.store, input.ledger) : new Set<string>();
    const scorer = await openPoolScorer(
      input.scorer,
      () => deps.store.getBytes((input.scorer as { model: ArtifactRef }).model, 1024 ** 3),
      layout.featureShape,
      input.round,
    );

    const minScore = input.threshold ? await referenceQuantile(deps, input, layout, scorer, dir) : input.minScore;
    const keep = input.diversify ? input.batchSize * DIVERSIFY_POOL_FACTOR : input.batchSize;
    const top = new TopK(keep);
    const kept = new Map<number, Kept>();
    const seenIds = input.data.idColumn ? new Set<string>() : undefined;
    const numericNames = numericColumns(layout.schema).map((c) => c.name);
    const categoricalNames = layout.schema.columns.filter((c) => c.kind === 'categorical').map((c) => c.name);
    const F = layout.featureIdx.length;
    let candidates = 0;
    let rows = 0;
    for await (const chunk of pool.chunks({ schema: layout.schema, chunkRows: CHUNK_ROWS })) {
      const x = featuresOf(chunk, layout.featureIdx);
      const scores = await scorer.score(x, chunk.rows);
      const ids = input.data.idColumn ? chunk.categorical.get(input.data.idColumn)! : undefined;
      for (let i = 0; i < chunk.rows; i++) {
        const index = chunk.offset + i;
        const id = ids ? ids[i] : String(index);
        if (id === null || id === undefined)
          throw new LabelingDataError(`the pool's row ${index + 1} has no id in column "${input.data.idColumn}"`);
        if (seenIds) {
          if (seenIds.has(id))
            throw new LabelingDataError(
              `the pool's id column "${input.data.idColumn}" holds "${id}" twice (again on row ${index + 1}); ids must be unique`,
            );
          seenIds.add(id);
        }
        const score = scores[i]!;
        if (excluded.has(id) || !Number.isFinite(score) || (minScore !== undefined && score <= minScore)) continue;
        candidates++;
        const floor = top.floor;
        top.add(score, index);
        if (score <= floor) continue; // did not enter the heap
        kept.set(index, {
          index,
          id,
          score,
          features: x.slice(i * F, (i + 1) * F),
          numeric: Float64Array.from(chunk.numeric.subarray(i * chunk.width, (i + 1) * chunk.width)),
          categorical: Object.fromEntries(
            categoricalNames
              .filter((n) => n !== input.data.idColumn)
              .map((n) => [n, chunk.categorical.get(n)![i] ?? null]),
          ),
        });
      }
      if (kept.size > 4 * keep) {
        const live = new Set(top.result().map((r) => r.id));
        for (const k of kept.keys()) if (!live.has(k)) kept.delete(k);
      }
      rows += chunk.rows;
      heartbeat(rows);
    }
    const best = top.result().map((r) => kept.get(r.id)!);
    const picks = input.diversify ? diversify(best, input.batchSize) : best.slice(0, input.batchSize);

    const samples: StoredBatch['samples'] = [];
    const pending: PendingSample[] = [];
    const showRow = !layout.image && layout.columns.length <= MAX_ROW_COLUMNS;
    for (const p of picks as Kept[]) {
      const row: Record<string, number | string | null> = { ...p.categorical };
      numericNames.forEach((n, k) => (row[n] = Number.isFinite(p.numeric[k]!) ? p.numeric[k]! : null));
      const ordered = Object.fromEntries(layout.columns.map((c) => [c, row[c] ?? null]));
      let thumbnail: ArtifactRef | undefined;
      let preview: string | undefined;
      if (layout.image) {
        thumbnail = await deps.store.putBytes(thumbnailPng(p.numeric, layout.image), `${p.id}.png`);
        preview = await deps.store.presign(thumbnail, input.previewSeconds, 'image/png');
      }
      samples.push({ id: p.id, index: p.index, score: p.score, row: ordered, ...(thumbnail ? { thumbnail } : {}) });
      pending.push({ id: p.id, score: p.score, ...(preview ? { preview } : {}), ...(showRow ? { row: ordered } : {}) });
    }
    const stored: StoredBatch = { round: input.round, pool: input.pool, columns: layout.columns, samples };
    const batch = await deps.store.putBytes(JSON.stringify(stored), `labeling-round-${input.round}.json`);
    return {
      batch,
      samples: pending,
      candidates,
      poolRows: rows,
      images: !!layout.image,
      ...(minScore !== undefined ? { minScore } : {}),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Features of one chunk, in the scorer's order. */
function featuresOf(
  chunk: { rows: number; width: number; numeric: Float32Array | Float64Array },
  idx: number[],
): Float32Array {
  const F = idx.length;
  const x = new Float32Array(chunk.rows * F);
  for (let i = 0; i < chunk.rows; i++)
    for (let k = 0; k < F; k++) x[i * F + k] = chunk.numeric[i * chunk.width + idx[k]!]!;
  return x;
}

/** Scores the reference set with the round's scorer and returns the threshold quantile of its scores. */
async function referenceQuantile(
  deps: TidemarkDeps,
  input: SelectBatchInput,
  pool: PoolLayout,
  scorer: PoolScorer,
  dir: string,
): Promise<number> {
  const { reference, quantile } = input.threshold!;
  const path = join(dir, 'reference');
  await deps.store.get(reference, path);
  const data = await openDataset(path);
  const schema = await data.schema();
  const where = `the threshold's reference (${reference.name})`;
  const hasId = !!input.data.idColumn && schema.columns.some((c) => c.name === input.data.idColumn);
  const layout = poolLayout(
    schema,
    {
      ...input.data,
      idColumn: hasId ? input.data.idColumn : undefined,
      features: schema.format === 'csv' ? pool.featureNames : input.data.features,
    },
    where,
  );
  if (layout.featureShape.join('x') !== pool.featureShape.join('x')) {
    throw new LabelingDataError(
      `${where} has rows of shape [${layout.featureShape.join(', ')}], the pool [${pool.featureShape.join(', ')}]; they must match to be scored alike`,
    );
  }
  const scores: number[] = [];
  for await (const chunk of data.chunks({ schema: layout.schema, chunkRows: CHUNK_ROWS })) {
    for (const v of await scorer.score(featuresOf(chunk, layout.featureIdx), chunk.rows))
      if (Number.isFinite(v)) scores.push(v);
  }
  if (scores.length === 0) throw new LabelingDataError(`${where} has no rows to score`);
  scores.sort((a, b) => a - b);
  return scores[Math.min(scores.length - 1, Math.floor(quantile * scores.length))]!;
}

/** The labeled set must be a CSV with the label column and only columns the pool has. */
async function checkLabeledColumns(path: string, input: SelectBatchInput, layout: PoolLayout): Promise<void> {
  const header = await csvHeader(path);
  const label = input.data.labelColumn;
  if (!header.includes(label)) {
    throw new LabelingDataError(
      `the labeled set (${input.labeled.name}) has no label column "${label}"; its columns are ${header.join(', ') || 'none (is it a CSV with a header row?)'}. Set data.labelColumn to the right one`,
    );
  }
  const foreign = header.filter((c) => c !== label && !layout.columns.includes(c));
  if (foreign.length) {
    throw new LabelingDataError(
      `the labeled set (${input.labeled.name}) has column(s) ${foreign.join(', ')} that the pool lacks, so pool samples cannot be merged into it; ` +
        `the pool's columns are ${layout.columns.slice(0, 20).join(', ')}${layout.columns.length > 20 ? ', …' : ''}`,
    );
  }
}
