import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { MergeLabelsInput, MergeLabelsResult } from '../../common/labeling.js';
import { csvHeader } from '../../lib/data/csv-source.js';
import type { TidemarkDeps } from '../deps.js';
import { LabelingDataError } from '../errors.js';
import { ledgerCsv, ledgerRows, readLedger } from './ledger.js';
import { readStoredBatch } from './select-batch.js';

async function countRecords(path: string): Promise<number> {
  let n = 0;
  for await (const _ of createReadStream(path).pipe(parse({ relax_column_count: true }))) n++;
  return Math.max(0, n - 1);
}

async function endsWithNewline(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size === 0) return true;
    const last = Buffer.alloc(1);
    await fh.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  } finally {
    await fh.close();
  }
}

/**
 * Writes the next version of the labeled set (the old rows, streamed, then one row per new
 * label with the sample's values from the stored batch), the session's ledger, and this round's
 * labels alone. All three are new content-addressed artifacts: nothing is changed in place, so a
 * retry or a crash half-way leaves the previous version intact.
 */
export async function mergeLabels(deps: TidemarkDeps, input: MergeLabelsInput): Promise<MergeLabelsResult> {
  const batch = await readStoredBatch(deps.store, input.batch);
  const order = batch.samples.map((s) => s.id);
  const unknown = Object.keys(input.labels).filter((id) => !order.includes(id));
  if (unknown.length)
    throw new LabelingDataError(`labels for ${unknown.join(', ')} are not in round ${input.round}'s batch`);
  await mkdir(deps.workDir, { recursive: true }); // a fresh state folder has none yet
  const dir = await mkdtemp(join(deps.workDir, 'labeling-merge-'));
  try {
    const oldPath = join(dir, 'labeled-old.csv');
    const newPath = join(dir, 'labeled.csv');
    await deps.store.get(input.labeled, oldPath);
    const header = await csvHeader(oldPath);
    const label = input.data.labelColumn;
    const rows: string[][] = [];
    for (const s of batch.samples) {
      const given = input.labels[s.id];
      if (!given) continue;
      rows.push(
        header.map((col) => {
          if (col === label) return given.label;
          if (!(col in s.row))
            throw new LabelingDataError(`sample "${s.id}" has no value for the labeled set's column "${col}"`);
          const v = s.row[col];
          return v === null || v === undefined ? '' : String(v);
        }),
      );
    }
    const separator = (await endsWithNewline(oldPath)) ? '' : '\n';
    await pipeline(createReadStream(oldPath), createWriteStream(newPath));
    const fh = await open(newPath, 'a');
    try {
      await fh.write(separator + stringify(rows));
    } finally {
      await fh.close();
    }
    const labeledRows = await countRecords(newPath);

    const thisRound = ledgerRows(order, input.labels, input.round);
    const before = input.ledger ? await readLedger(deps.store, input.ledger) : [];
    const [labeled, ledger, roundLabels] = await Promise.all([
      deps.store.put(newPath, `labeled-round-${input.round}.csv`),
      deps.store.putBytes(ledgerCsv([...before, ...thisRound]), 'labels-ledger.csv'),
      deps.store.putBytes(ledgerCsv(thisRound), `labels-round-${input.round}.csv`),
    ]);
    return { labeled, ledger, roundLabels, added: rows.length, labeledRows };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
