import { Context } from '@temporalio/activity';
import type {
  MergeLabelsInput,
  MergeLabelsResult,
  SelectBatchInput,
  SelectBatchResult,
  TrackRoundInput,
} from '../../common/labeling.js';
import type { PipelineTracking } from '../../common/tracking.js';
import type { ArtifactRef } from '../../common/artifact.js';
import type { TidemarkDeps } from '../deps.js';
import { mergeLabels } from './merge-labels.js';
import { readStoredBatch, selectBatch } from './select-batch.js';
import { trackRound } from './track-round.js';

/** The activities of labeling sessions: pick a batch, refresh its previews, merge labels, track a round. */
export function createLabelingActivities(deps: TidemarkDeps) {
  return {
    selectLabelingBatch(input: SelectBatchInput): Promise<SelectBatchResult> {
      const ctx = Context.current();
      return selectBatch(deps, input, (rows) => ctx.heartbeat({ rows }));
    },

    /** New preview URLs for a stored batch (presigned URLs expire within a week). */
    async presignLabelingPreviews(input: { batch: ArtifactRef; seconds: number }): Promise<Record<string, string>> {
      const batch = await readStoredBatch(deps.store, input.batch);
      const urls: Record<string, string> = {};
      for (const s of batch.samples)
        if (s.thumbnail) urls[s.id] = await deps.store.presign(s.thumbnail, input.seconds, 'image/png');
      return urls;
    },

    mergeLabels: (input: MergeLabelsInput): Promise<MergeLabelsResult> => mergeLabels(deps, input),

    trackLabelingRound: (input: TrackRoundInput): Promise<PipelineTracking> => trackRound(deps, input),
  };
}
