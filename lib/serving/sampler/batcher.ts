import { mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { Rows } from './payload.js';

/** A batch written to the spool folder and not shipped yet. */
export interface SpooledBatch {
  /** `<first row's time>-<sequence>`: unique, and in the order the batches were cut. */
  id: string;
  features: string;
  predictions: string;
}

/**
 * Collects sampled rows and cuts them into batches of `batchRows` rows, or `batchMs` after a
 * batch's first row, whichever comes first. A batch is two CSV files in the spool folder: the
 * request's feature columns (what a checker reads) and, row for row, the version that answered and
 * its prediction. They are written beside their final names and renamed, so the shipper never sees
 * half a batch; what is in the spool survives a restart of the sampler.
 */
export class Batcher {
  private columns?: string[];
  private rows: unknown[][] = [];
  private predictions: unknown[][] = [];
  private startedAt = 0;
  private seq = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly spoolDir: string,
    private readonly opts: { batchRows: number; batchMs: number },
    private readonly onBatch: () => void,
  ) {}

  /** Adds one request's rows; rows whose columns differ from the batch's start a new batch. */
  async add(rows: Rows, version: string, predictions: unknown[] | undefined): Promise<void> {
    if (this.columns && this.columns.join('\0') !== rows.columns.join('\0')) await this.cut();
    if (!this.columns) {
      this.columns = rows.columns;
      this.startedAt = Date.now();
      this.timer = setTimeout(() => void this.cut(), this.opts.batchMs);
    }
    rows.rows.forEach((r, i) => {
      this.rows.push(r);
      const p = predictions?.[i];
      this.predictions.push([version, p === undefined ? '' : typeof p === 'object' ? JSON.stringify(p) : p]);
    });
    if (this.rows.length >= this.opts.batchRows) await this.cut();
  }

  /** Writes the rows collected so far as a batch (nothing when there are none). */
  async cut(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.columns || this.rows.length === 0) {
      this.columns = undefined;
      return;
    }
    const columns = this.columns;
    const rows = this.rows;
    const predictions = this.predictions;
    this.columns = undefined;
    this.rows = [];
    this.predictions = [];
    const id = `${this.startedAt}-${String(this.seq++).padStart(6, '0')}`;
    await mkdir(this.spoolDir, { recursive: true });
    const features = join(this.spoolDir, `${id}.features.csv`);
    const preds = join(this.spoolDir, `${id}.predictions.csv`);
    await writeFile(`${preds}.part`, stringify([['version', 'prediction'], ...predictions]));
    await writeFile(`${features}.part`, stringify([columns, ...rows]));
    await rename(`${preds}.part`, preds);
    await rename(`${features}.part`, features); // last: its presence means the batch is whole
    this.onBatch();
  }
}

/** The whole batches in the spool folder, oldest first. */
export async function spooledBatches(spoolDir: string): Promise<SpooledBatch[]> {
  const names = await readdir(spoolDir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.features.csv'))
    .sort()
    .map((n) => {
      const id = n.slice(0, -'.features.csv'.length);
      return { id, features: join(spoolDir, n), predictions: join(spoolDir, `${id}.predictions.csv`) };
    });
}
