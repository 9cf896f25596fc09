import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import type { DagMemo, PipelineRow, PipelineRunView, StepLogView } from '../../../common/console-api.js';
import { statusQuery, type PipelineStatus } from '../../../common/messages.js';
import type { StepHeartbeat } from '../../../common/step-run.js';
import {
  CurrentStep,
  DriftAlarm,
  PipelineName,
  PipelineStatus as PipelineStatusKey,
} from '../../../common/search-attributes.js';
import { mlflowExperimentUrl } from '../../../lib/mlflow/ui-links.js';
import type { ConsoleContext } from '../context.js';
import { NotFoundError } from '../errors.js';
import { readLogTail } from '../artifact-reader.js';
import { decodePayloads, failureMessageOf } from '../payloads.js';
import { equals, listWorkflows } from '../workflow-list.js';

const iso = (d: Date | undefined) => d?.toISOString();

/** Pipelines: the list (filtered by search attributes), one run's state, and a step's log. */
export function pipelineRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get<{ Querystring: { name?: string; status?: string; step?: string; limit?: string } }>(
    '/api/pipelines',
    async (req): Promise<PipelineRow[]> => {
      const { name, status, step } = req.query;
      const where = [
        "WorkflowType = 'pipeline'",
        ...(name ? [equals('PipelineName', name)] : []),
        ...(status ? [equals('PipelineStatus', status)] : []),
        ...(step ? [equals('CurrentStep', step)] : []),
      ];
      const client = await ctx.temporal();
      const rows = await listWorkflows(client, where.join(' AND '), Math.min(Number(req.query.limit ?? 200), 1000));
      return rows.map((wf) => {
        const dag = wf.memo?.dag as DagMemo | undefined;
        return {
          workflowId: wf.workflowId,
          runId: wf.runId,
          name: wf.typedSearchAttributes.get(PipelineName),
          status: wf.typedSearchAttributes.get(PipelineStatusKey),
          currentStep: wf.typedSearchAttributes.get(CurrentStep),
          driftAlarm: wf.typedSearchAttributes.get(DriftAlarm),
          execution: wf.status.name,
          startTime: wf.startTime.toISOString(),
          closeTime: iso(wf.closeTime),
          steps: dag?.omitted ?? dag?.nodes.length,
          checks: dag?.nodes.filter((n) => n.kind === 'check').length,
          temporalUrl: ctx.temporalUrl(wf.workflowId, wf.runId),
        };
      });
    },
  );

  app.get<{ Params: { id: string }; Querystring: { runId?: string } }>(
    '/api/pipelines/:id',
    async (req): Promise<PipelineRunView> => {
      const client = await ctx.temporal();
      const handle = client.workflow.getHandle(req.params.id, req.query.runId);
      const desc = await describe(handle.describe(), req.params.id);
      let status: PipelineStatus | undefined;
      let statusError: string | undefined;
      try {
        status = await handle.query(statusQuery);
      } catch (err) {
        statusError = (err as Error).message;
      }
      const mlflow = desc.memo?.mlflow as { runId: string; experimentId: string; url: string } | undefined;
      return {
        workflowId: desc.workflowId,
        runId: desc.runId,
        execution: desc.status.name,
        startTime: desc.startTime.toISOString(),
        closeTime: iso(desc.closeTime),
        status,
        statusError,
        failure: desc.status.name === 'FAILED' ? await failureMessageOf(handle) : undefined,
        dag: desc.memo?.dag as DagMemo | undefined,
        temporalUrl: ctx.temporalUrl(desc.workflowId, desc.runId),
        mlflowRunUrl: mlflow?.url,
        mlflowExperimentUrl: mlflow && mlflowExperimentUrl(ctx.config.mlflow.trackingUri, mlflow.experimentId),
        parentWorkflowId: desc.parentExecution?.workflowId ?? undefined,
      };
    },
  );

  app.get<{ Params: { id: string; step: string }; Querystring: { runId?: string } }>(
    '/api/pipelines/:id/steps/:step/log',
    async (req): Promise<StepLogView> => {
      const client = await ctx.temporal();
      const handle = client.workflow.getHandle(req.params.id, req.query.runId);
      const stepKey = req.params.step;
      // A query that fails (a busy worker) is an error the page retries, not a step without a log.
      const status = await handle.query(statusQuery);
      const step = status.steps.find((s) => s.key === stepKey);
      if (step?.log) {
        const tail = await readLogTail(ctx, step.log);
        return { stepKey, source: 'log', ...tail, log: step.log };
      }
      // A running step's latest lines travel in its heartbeat (every 2 s).
      const desc = await describe(handle.describe(), req.params.id);
      for (const a of desc.raw.pendingActivities ?? []) {
        const [beat] = decodePayloads<StepHeartbeat>(client, a.heartbeatDetails?.payloads);
        if (beat?.stepKey === stepKey) return { stepKey, source: 'running', lines: beat.lastLines, truncated: true };
      }
      return { stepKey, source: 'none', lines: [], truncated: false };
    },
  );
}

/** A workflow's description, or a NotFoundError naming it. */
export async function describe(
  p: Promise<WorkflowExecutionDescription>,
  workflowId: string,
): Promise<WorkflowExecutionDescription> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError)
      throw new NotFoundError(
        `no workflow "${workflowId}" in this namespace: check the id, or its retention has passed`,
      );
    throw err;
  }
}
