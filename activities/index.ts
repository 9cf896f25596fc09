import { createCheckActivities } from './checks.js';
import { createMinioClient } from '../lib/artifacts/minio-client.js';
import type { TidemarkDeps } from './deps.js';
import { createWatchActivities } from './watch-prefix.js';
import { mapFailures } from './failures.js';
import { createLabelingActivities } from './labeling/index.js';
import { createServingActivities } from './serving/index.js';
import { createSmokeActivities } from './smoke.js';
import { createStepActivities } from './steps/index.js';
import { createTrackingActivities } from './tracking/track.js';

/**
 * All of Tidemark's activities, over their dependencies. Workflows import only the type:
 * `proxyActivities<TidemarkActivities>()`.
 */
export function createActivities(deps: TidemarkDeps) {
  const all = {
    ...createSmokeActivities(deps),
    ...createStepActivities(deps),
    ...createTrackingActivities(deps),
    ...createCheckActivities(deps),
    ...createLabelingActivities(deps),
    ...createServingActivities(deps),
    ...createWatchActivities(deps, createMinioClient(deps.config.minio)),
  };
  return Object.fromEntries(
    Object.entries(all).map(([name, fn]) => [name, mapFailures(fn as (...a: unknown[]) => Promise<unknown>)]),
  ) as typeof all;
}

export type TidemarkActivities = ReturnType<typeof createActivities>;
export type { TidemarkDeps } from './deps.js';
