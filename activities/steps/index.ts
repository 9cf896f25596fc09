import type { PipelineDemand } from '../../common/step-policy.js';
import type { BuildImageInput, RunStepInput } from '../../common/step-run.js';
import type { TidemarkDeps } from '../deps.js';
import { buildImageActivity } from './build-image.js';
import { createMapItemActivities } from './map-items.js';
import { checkPipelinePolicyActivity } from './policy.js';
import { lookupStepCacheActivity, runStepActivity } from './run-step.js';
import { readSpecPartActivity } from './stored-spec.js';
import type { ArtifactRef } from '../../common/artifact.js';

/** The container-step activities. */
export function createStepActivities(deps: TidemarkDeps) {
  return {
    buildImage: (input: BuildImageInput) => buildImageActivity(deps, input),
    runStep: (input: RunStepInput) => runStepActivity(deps, input),
    lookupStepCache: (input: RunStepInput) => lookupStepCacheActivity(deps, input),
    checkPipelinePolicy: async (demand: PipelineDemand) => checkPipelinePolicyActivity(deps, demand),
    readSpecPart: (input: { ref: ArtifactRef; offset: number }) => readSpecPartActivity(deps, input),
    ...createMapItemActivities(deps),
  };
}
