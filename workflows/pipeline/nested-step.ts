import { executeChild, workflowInfo } from '@temporalio/workflow';
import { interpolate } from '../../common/interpolate.js';
import type { NestedStep } from '../../common/pipeline-spec.js';
import type { pipeline } from './pipeline.js';
import { resolveInputs, type Outcome, type StepRun } from './step-run.js';

/**
 * A nested pipeline: runs as a child `pipeline` workflow (`<parent id>/<step key>`), given the
 * nested spec as written (its local files already uploaded by the client), its params and inputs.
 */
export async function runNestedStep(ctx: StepRun<NestedStep>, rawSpec: unknown): Promise<Outcome> {
  const childId = `${workflowInfo().workflowId}/${ctx.key}`;
  ctx.run.update(ctx.key, { childWorkflowId: childId });
  const child = await executeChild<typeof pipeline>('pipeline', {
    workflowId: childId,
    args: [
      {
        spec: rawSpec,
        params: interpolate(ctx.step.params, ctx.vars),
        inputs: resolveInputs(ctx),
        consoleUrl: ctx.consoleUrl,
      },
    ],
  });
  ctx.run.update(ctx.key, { state: 'succeeded', outputs: child.outputs });
  return { ok: true, outputs: child.outputs };
}
