import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { ArtifactRef } from '../../common/artifact.js';
import type { GivenLabel } from '../../common/labeling.js';
import type { ArtifactStore } from '../../lib/artifacts/artifact-store.js';
import { LabelingDataError } from '../errors.js';

/**
 * The ledger: every label a session was given, one CSV row each (id, label, labeler, round, at).
 * It is the session's memory across rounds (samples in it are not asked again) and its audit
 * trail in MinIO and MLflow.
 */
export const LEDGER_COLUMNS = ['id', 'label', 'labeler', 'round', 'at'] as const;
const MAX_LEDGER_BYTES = 256 * 1024 * 1024;

export async function readLedger(store: ArtifactStore, ref: ArtifactRef): Promise<string[][]> {
  const text = (await store.getBytes(ref, MAX_LEDGER_BYTES)).toString('utf8');
  const rows = parse(text, { relax_column_count: false }) as string[][];
  const [header, ...body] = rows;
  if (!header || header.join(',') !== LEDGER_COLUMNS.join(',')) {
    throw new LabelingDataError(
      `${ref.name} is not a labeling ledger: its header is "${header?.join(',') ?? ''}", not "${LEDGER_COLUMNS.join(',')}"`,
    );
  }
  return body;
}

export async function readLedgerIds(store: ArtifactStore, ref: ArtifactRef): Promise<Set<string>> {
  return new Set((await readLedger(store, ref)).map((r) => r[0]!));
}

/** Ledger rows for one round's labels, in the batch's order. */
export function ledgerRows(order: string[], labels: Record<string, GivenLabel>, round: number): string[][] {
  return order
    .filter((id) => labels[id])
    .map((id) => {
      const l = labels[id]!;
      return [id, l.label, l.labeler ?? '', String(round), new Date(l.at).toISOString()];
    });
}

export function ledgerCsv(rows: string[][]): string {
  return stringify([[...LEDGER_COLUMNS], ...rows]);
}
