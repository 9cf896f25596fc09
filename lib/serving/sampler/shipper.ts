import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import type { Client as MinioClient } from 'minio';
import type { ArtifactRef } from '../../../common/artifact.js';
import { spooledBatches } from './batcher.js';

export interface ShipperOptions {
  spoolDir: string;
  bucket: string;
  /** Object key prefix of this deployment's live batches. */
  prefix: string;
  /** Sends the batch's ref on (to the monitor); must be safe to call twice for one batch. */
  deliver?: (batch: ArtifactRef, predictions: ArtifactRef) => Promise<void>;
  log: (msg: string) => void;
}

/**
 * Ships spooled batches in order: uploads both files to MinIO under `prefix`, hands the refs to
 * `deliver`, and only then deletes them from the spool. While MinIO (or Temporal) is away it keeps
 * them and retries with backoff (1 s doubling to 30 s); nothing is lost, and the batches catch up
 * in order when the service is back.
 */
export class Shipper {
  private running?: Promise<void>;
  private again = false;
  shipped = 0;
  failures = 0;

  constructor(
    private readonly minio: MinioClient,
    private readonly opts: ShipperOptions,
  ) {}

  /** Starts shipping what is spooled (or notes that more arrived while it ships). */
  kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when the spool is empty (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async upload(path: string, key: string, name: string): Promise<ArtifactRef> {
    const bytes = await readFile(path);
    await this.minio.putObject(this.opts.bucket, key, bytes, bytes.length, { 'content-type': 'text/csv' });
    return {
      uri: `s3://${this.opts.bucket}/${key}`,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      size: bytes.length,
      name,
      kind: 'file',
    };
  }

  private async drain(): Promise<void> {
    let backoff = 1000;
    for (;;) {
      const batches = await spooledBatches(this.opts.spoolDir);
      if (batches.length === 0) return;
      for (const b of batches) {
        try {
          const features = await this.upload(b.features, `${this.opts.prefix}/${b.id}.csv`, `${b.id}.csv`);
          const predictions = await this.upload(
            b.predictions,
            `${this.opts.prefix}/${b.id}.predictions.csv`,
            `${b.id}.predictions.csv`,
          );
          await this.opts.deliver?.(features, predictions);
          await rm(b.predictions, { force: true });
          await rm(b.features, { force: true });
          this.shipped++;
          backoff = 1000;
        } catch (err) {
          this.failures++;
          this.opts.log(`batch ${b.id} not shipped yet (${(err as Error).message}); retrying in ${backoff / 1000} s`);
          await new Promise((r) => setTimeout(r, backoff));
          backoff = Math.min(backoff * 2, 30_000);
          break;
        }
      }
    }
  }
}
