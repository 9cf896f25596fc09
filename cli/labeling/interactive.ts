import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { PendingSample } from '../../common/labeling.js';
import { pendingQuery, submitLabelsUpdate, type PendingBatch } from '../../common/labeling-messages.js';
import { asciiPreview } from './ascii-preview.js';

export type Answer = { label: string } | 'skip' | 'quit';

export interface InteractiveIo {
  /** Asks a person for one sample's label. */
  ask(sample: PendingSample, batch: PendingBatch): Promise<Answer>;
  print(text: string): void;
}

/**
 * Asks for one pending sample at a time and sends each answer at once through the validated
 * update, so every label is safe in the session the moment it is given. Ends when the batch is
 * done, the round closes, or the person quits. Returns how many labels were accepted.
 */
export async function labelInteractively(
  handle: WorkflowHandle,
  io: InteractiveIo,
  opts: { labeler?: string } = {},
): Promise<number> {
  const skipped = new Set<string>();
  let accepted = 0;
  for (;;) {
    const batch = await handle.query(pendingQuery);
    if (batch.phase !== 'waiting') {
      io.print(`no batch is waiting for labels (round ${batch.round} is ${batch.phase})`);
      return accepted;
    }
    const sample = batch.samples.find((s) => !skipped.has(s.id));
    if (!sample) {
      io.print(
        batch.samples.length
          ? `${batch.samples.length} sample(s) skipped and still pending`
          : `round ${batch.round} is fully labeled`,
      );
      return accepted;
    }
    const lines = [
      `\nsample ${sample.id} (score ${sample.score.toPrecision(4)}; ${batch.samples.length} pending in round ${batch.round})`,
    ];
    if (sample.row) for (const [k, v] of Object.entries(sample.row)) lines.push(`  ${k}: ${String(v)}`);
    if (sample.preview) {
      const art = await asciiPreview(sample.preview);
      if (art) lines.push(art);
      lines.push(`  preview: ${sample.preview}`);
    }
    io.print(lines.join('\n'));
    const answer = await io.ask(sample, batch);
    if (answer === 'quit') return accepted;
    if (answer === 'skip') {
      skipped.add(sample.id);
      continue;
    }
    try {
      const r = await handle.executeUpdate(submitLabelsUpdate, {
        args: [{ labels: { [sample.id]: answer.label }, ...(opts.labeler ? { labeler: opts.labeler } : {}) }],
      });
      if (r.accepted.length || r.unchanged.length) {
        accepted += r.accepted.length;
        io.print(`  ✔ ${sample.id} = ${answer.label} (${r.pending} left)`);
      }
    } catch (err) {
      if (!(err instanceof WorkflowUpdateFailedError)) throw err;
      io.print(`  ✘ ${(err.cause as Error | undefined)?.message ?? err.message}`);
      skipped.add(sample.id);
    }
  }
}
