import { Context } from '@temporalio/activity';
import type { CheckBatchInput, CheckBatchResult } from '../common/check.js';
import { fitChecker, runChecker } from './check/index.js';
import { containerName } from '../lib/containers/container-name.js';
import type { TidemarkDeps } from './deps.js';
import { callingWorkflow } from './workflow-context.js';

/** The checker activity: fits the plugin when it has a reference and no state, then checks the batch. */
export function createCheckActivities(deps: TidemarkDeps) {
  return {
    async checkBatch(input: CheckBatchInput): Promise<CheckBatchResult> {
      const ctx = Context.current();
      const { workflowId, runId } = callingWorkflow();
      const checkerDeps = {
        ...deps,
        heartbeat: (d: { rows: number }) => ctx.heartbeat(d),
        signal: ctx.cancellationSignal,
      };
      let state = input.state;
      if (!state && input.reference) {
        const fitted = await fitChecker(checkerDeps, {
          plugin: input.plugin,
          config: input.config,
          reference: input.reference,
          containerName: containerName(workflowId, runId, `${input.stepKey}#fit`),
          stepKey: input.stepKey,
        });
        state = fitted.state;
      }
      const result = await runChecker(checkerDeps, {
        plugin: input.plugin,
        config: input.config,
        batch: input.batch,
        reference: input.reference,
        state,
        containerName: containerName(workflowId, runId, `${input.stepKey}#check`),
        stepKey: input.stepKey,
      });
      return { ...result.summary, report: result.report, state, plot: result.plot };
    },
  };
}
