import { createCheckActivities } from './checks';
import { createMinioClient } from './artifacts/minio-client';
import type { TidemarkDeps } from './deps';
import { createWatchActivities } from './watch-prefix';
import { mapFailures } from './errors';
import { createLabelingActivities } from './labeling';
import { createSmokeActivities } from './smoke';
import { createStepActivities } from './steps';
import { createTrackingActivities } from './tracking/track';

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
    ...createWatchActivities(deps, createMinioClient(deps.config.minio)),
  };
  return Object.fromEntries(Object.entries(all).map(([name, fn]) => [name, mapFailures(fn as (...a: unknown[]) => Promise<unknown>)])) as typeof all;
}

export type TidemarkActivities = ReturnType<typeof createActivities>;
export type { TidemarkDeps } from './deps';
