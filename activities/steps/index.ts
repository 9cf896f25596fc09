import type { BuildImageInput, RunStepInput } from '../../common/step-run';
import type { TidemarkDeps } from '../deps';
import { buildImageActivity } from './build-image';
import { runStepActivity } from './run-step';

/** The container-step activities. */
export function createStepActivities(deps: TidemarkDeps) {
  return {
    buildImage: (input: BuildImageInput) => buildImageActivity(deps, input),
    runStep: (input: RunStepInput) => runStepActivity(deps, input),
  };
}
