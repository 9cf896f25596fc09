import type { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { CheckBatchResult } from '../../common/check.js';
import type { RunStepInput, StepResult } from '../../common/step-run.js';
import type { TrackStepsInput } from '../../common/tracking.js';
import type { WorkerMetrics } from '../../lib/metrics/worker-metrics.js';
import { BUILTIN_CHECKERS } from '../../plugins/builtins.js';

const cancelled = (err: unknown, ctx: Context) => err instanceof CancelledFailure || ctx.cancellationSignal.aborted;

/**
 * Records Tidemark's metrics around the activities that do the work, without the activities
 * knowing: a step attempt's outcome (succeeded, cached, failed, cancelled), its duration and how
 * long it waited for a worker, the cache look-up; a check's verdict by plugin; the step records
 * being sent to MLflow and the tracking attempts that failed.
 */
export function activityMetrics(metrics: WorkerMetrics, backend: string): ActivityInterceptorsFactory {
  metrics.zero(
    backend,
    BUILTIN_CHECKERS.map((c) => c.name),
  );
  return (ctx) => ({
    inbound: {
      async execute(input, next) {
        const type = ctx.info.activityType;
        const started = Date.now();
        if (type === 'runStep') {
          metrics.stepQueue.observe(
            { backend },
            Math.max(0, started - ctx.info.currentAttemptScheduledTimestampMs) / 1000,
          );
          try {
            const result = (await next(input)) as StepResult;
            const state = result.cached ? 'cached' : 'succeeded';
            metrics.steps.inc({ state, backend });
            metrics.stepDuration.observe({ state, backend }, (Date.now() - started) / 1000);
            if ((input.args[0] as RunStepInput).cache?.enabled)
              metrics.cacheLookups.inc({ result: result.cached ? 'hit' : 'miss' });
            return result;
          } catch (err) {
            const state = cancelled(err, ctx) ? 'cancelled' : 'failed';
            metrics.steps.inc({ state, backend });
            metrics.stepDuration.observe({ state, backend }, (Date.now() - started) / 1000);
            throw err;
          }
        }
        if (type === 'lookupStepCache') {
          // A hit is the step's whole attempt (no runStep follows); a miss is counted by the runStep that follows.
          const result = (await next(input)) as StepResult | null;
          if (result) {
            metrics.stepQueue.observe(
              { backend },
              Math.max(0, started - ctx.info.currentAttemptScheduledTimestampMs) / 1000,
            );
            metrics.steps.inc({ state: 'cached', backend });
            metrics.stepDuration.observe({ state: 'cached', backend }, (Date.now() - started) / 1000);
            metrics.cacheLookups.inc({ result: 'hit' });
          }
          return result;
        }
        if (type === 'checkBatch') {
          const result = (await next(input)) as CheckBatchResult;
          metrics.checks.inc({ plugin: result.plugin, alarm: String(result.alarm) });
          if (result.alarm) metrics.checkAlarms.inc({ plugin: result.plugin });
          return result;
        }
        if (type === 'trackSteps') {
          const n = (input.args[0] as TrackStepsInput).steps.length;
          metrics.trackingBacklog.inc(n);
          try {
            return await next(input);
          } catch (err) {
            metrics.trackingFailures.inc();
            throw err;
          } finally {
            metrics.trackingBacklog.dec(n);
          }
        }
        return next(input);
      },
    },
  });
}
