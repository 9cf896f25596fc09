import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes Tidemark workflows set. The plugin registers them on worker start. */
export const PipelineName = defineSearchAttributeKey('PipelineName', SearchAttributeType.KEYWORD);
export const PipelineStatus = defineSearchAttributeKey('PipelineStatus', SearchAttributeType.KEYWORD);
export const CurrentStep = defineSearchAttributeKey('CurrentStep', SearchAttributeType.KEYWORD);
export const DriftAlarm = defineSearchAttributeKey('DriftAlarm', SearchAttributeType.BOOL);
export const LabelingStatus = defineSearchAttributeKey('LabelingStatus', SearchAttributeType.KEYWORD);
export const LabelingPending = defineSearchAttributeKey('LabelingPending', SearchAttributeType.INT);
export const LabelingRound = defineSearchAttributeKey('LabelingRound', SearchAttributeType.INT);
/** Reminders sent in the current round: filter `LabelingReminders > 0` for sessions waiting too long. */
export const LabelingReminders = defineSearchAttributeKey('LabelingReminders', SearchAttributeType.INT);
/** When the current round stops waiting for labels. */
export const LabelingDeadline = defineSearchAttributeKey('LabelingDeadline', SearchAttributeType.DATETIME);

/** The registered model a deployment serves. */
export const ServingModel = defineSearchAttributeKey('ServingModel', SearchAttributeType.KEYWORD);
/** empty, stable, canary, rolling-back, paused or stopped. */
export const ServingState = defineSearchAttributeKey('ServingState', SearchAttributeType.KEYWORD);
/**
 * The canary's share of traffic (0-100; 0 without a rollout). A Double: Temporal's SQLite
 * visibility store allows three Int attributes per namespace, and the labeling ones have them.
 */
export const ServingCanaryWeight = defineSearchAttributeKey('ServingCanaryWeight', SearchAttributeType.DOUBLE);

export const TIDEMARK_SEARCH_ATTRIBUTES = [
  PipelineName,
  PipelineStatus,
  CurrentStep,
  DriftAlarm,
  LabelingStatus,
  LabelingPending,
  LabelingRound,
  LabelingReminders,
  LabelingDeadline,
  ServingModel,
  ServingState,
  ServingCanaryWeight,
] as const;
