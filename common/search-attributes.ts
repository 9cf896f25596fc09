import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes Tidemark workflows set. The plugin registers them on worker start. */
export const PipelineName = defineSearchAttributeKey('PipelineName', SearchAttributeType.KEYWORD);
export const PipelineStatus = defineSearchAttributeKey('PipelineStatus', SearchAttributeType.KEYWORD);
export const CurrentStep = defineSearchAttributeKey('CurrentStep', SearchAttributeType.KEYWORD);
export const DriftAlarm = defineSearchAttributeKey('DriftAlarm', SearchAttributeType.BOOL);
export const LabelingStatus = defineSearchAttributeKey('LabelingStatus', SearchAttributeType.KEYWORD);
export const LabelingPending = defineSearchAttributeKey('LabelingPending', SearchAttributeType.INT);
export const LabelingRound = defineSearchAttributeKey('LabelingRound', SearchAttributeType.INT);

export const TIDEMARK_SEARCH_ATTRIBUTES = [
  PipelineName,
  PipelineStatus,
  CurrentStep,
  DriftAlarm,
  LabelingStatus,
  LabelingPending,
  LabelingRound,
] as const;
