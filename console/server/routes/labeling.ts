import type { FastifyInstance } from 'fastify';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { LabelingRow, LabelingView, ReferenceProfile, SubmitAnswer } from '../../../common/console-api.js';
import type { ArtifactRef } from '../../../common/artifact.js';
import {
  labelsQuery,
  pendingQuery,
  sessionQuery,
  submitLabelsUpdate,
  LABELS_REFUSED,
  type PendingBatch,
  type RejectedLabel,
} from '../../../common/labeling-messages.js';
import {
  LabelingDeadline,
  LabelingPending,
  LabelingReminders,
  LabelingRound,
  LabelingStatus,
  PipelineName,
} from '../../../common/search-attributes.js';
import type { ConsoleContext } from '../context.js';
import { BadRequestError } from '../errors.js';
import { readArtifactBytes } from '../artifact-reader.js';
import { startInput } from '../../../client/start-input.js';
import { referenceProfile } from '../reference-profile.js';
import { equals, listWorkflows } from '../workflow-list.js';
import { describe } from './pipelines.js';

/** The labeled set is read for its profile up to this size. */
const MAX_REFERENCE_BYTES = 16 * 1024 * 1024;
const CAS_KEY = /\/cas\/sha256\/[0-9a-f]{2}\/([0-9a-f]{64})$/;

const SubmitBody = z.object({
  labeler: z.string().min(1).max(200),
  labels: z.record(z.string().min(1), z.string().min(1)),
  overwrite: z.boolean().optional(),
});

/**
 * A preview as a console URL: the session hands out presigned MinIO URLs, which carry a
 * signature; the browser gets the artifact's console URL instead (the hash is in the object key).
 */
function consolePreview(preview: string | undefined, id: string): string | undefined {
  const sha = preview && CAS_KEY.exec(new URL(preview).pathname)?.[1];
  return sha ? `/api/artifacts/${sha}?name=${encodeURIComponent(id)}.png` : undefined;
}

/** The labeled set the session's current round merges into, and its label column, from the run's input. */
async function sessionSource(
  client: Client,
  workflowId: string,
  runId: string,
): Promise<{ labeled?: ArtifactRef; labelColumn: string }> {
  const input = await startInput<{
    spec?: { labeled?: ArtifactRef; data?: { labelColumn?: string } };
    carried?: { labeled?: ArtifactRef };
  }>(client, workflowId, runId);
  return {
    labeled: input?.carried?.labeled ?? input?.spec?.labeled,
    labelColumn: input?.spec?.data?.labelColumn ?? 'label',
  };
}

/** Labeling: the queue of sessions, one session's batch, and submissions through the `submitLabels` update. */
export function labelingRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  const profiles = new Map<string, Promise<ReferenceProfile>>();
  const profileOf = (labeled: ArtifactRef, labelColumn: string, columns: string[]) => {
    const key = `${labeled.sha256}:${labelColumn}:${columns.join(',')}`;
    let p = profiles.get(key);
    if (!p) {
      p = readArtifactBytes(ctx, labeled.sha256, MAX_REFERENCE_BYTES).then((b) =>
        referenceProfile(b.toString('utf8'), labelColumn, columns),
      );
      p.catch(() => profiles.delete(key));
      if (profiles.size > 50) profiles.delete(profiles.keys().next().value!);
      profiles.set(key, p);
    }
    return p;
  };

  app.get<{ Querystring: { status?: string; name?: string } }>('/api/labeling', async (req): Promise<LabelingRow[]> => {
    const where = [
      "WorkflowType = 'labelingSession'",
      ...(req.query.status ? [equals('LabelingStatus', req.query.status)] : []),
      ...(req.query.name ? [equals('PipelineName', req.query.name)] : []),
    ];
    const rows = await listWorkflows(await ctx.temporal(), where.join(' AND '), 200);
    return rows.map((wf) => {
      const sa = wf.typedSearchAttributes;
      return {
        workflowId: wf.workflowId,
        runId: wf.runId,
        name: sa.get(PipelineName),
        status: sa.get(LabelingStatus),
        round: sa.get(LabelingRound),
        pending: sa.get(LabelingPending),
        deadline: sa.get(LabelingDeadline)?.toISOString(),
        reminders: sa.get(LabelingReminders),
        startTime: wf.startTime.toISOString(),
        temporalUrl: ctx.temporalUrl(wf.workflowId, wf.runId),
      };
    });
  });

  app.get<{ Params: { id: string } }>('/api/labeling/:id', async (req): Promise<LabelingView> => {
    const client = await ctx.temporal();
    const desc = await describe(client.workflow.getHandle(req.params.id).describe(), req.params.id);
    const handle = client.workflow.getHandle(req.params.id, desc.runId);
    const [pending, session, labels] = await Promise.all([
      handle.query(pendingQuery),
      handle.query(sessionQuery),
      handle.query(labelsQuery),
    ]);
    const samples = pending.samples.map((s) => ({ ...s, preview: consolePreview(s.preview, s.id) }));
    let reference: ReferenceProfile | undefined;
    const columns = Object.keys(samples[0]?.row ?? {});
    if (!pending.images && columns.length) {
      const source = await sessionSource(client, desc.workflowId, desc.runId);
      if (source.labeled)
        reference = await profileOf(source.labeled, source.labelColumn, columns).catch(() => undefined);
    }
    return {
      workflowId: desc.workflowId,
      runId: desc.runId,
      pending: { ...pending, samples } satisfies PendingBatch,
      session,
      labels,
      reference,
      temporalUrl: ctx.temporalUrl(desc.workflowId, desc.runId),
    };
  });

  app.post<{ Params: { id: string }; Body: unknown }>(
    '/api/labeling/:id/labels',
    async (req): Promise<SubmitAnswer> => {
      const body = SubmitBody.safeParse(req.body);
      if (!body.success)
        throw new BadRequestError(
          `send { "labeler": "you", "labels": { "<sample id>": "<label>" } }: ${body.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        );
      const handle = (await ctx.temporal()).workflow.getHandle(req.params.id);
      try {
        return { verdict: await handle.executeUpdate(submitLabelsUpdate, { args: [body.data] }) };
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        const cause = err.cause;
        // A LabelsRefused failure's first detail lists every label with its reason.
        const listed =
          cause instanceof ApplicationFailure && cause.type === LABELS_REFUSED
            ? ((cause.details?.[0] ?? []) as RejectedLabel[])
            : [];
        const refused = cause?.message ?? err.message;
        // A refusal without a list (a malformed submission, a closed round) names its reason on every label.
        return {
          refused,
          verdict: {
            round: 0,
            accepted: [],
            unchanged: [],
            rejected: listed.length
              ? listed
              : Object.entries(body.data.labels).map(([id, label]) => ({ id, label, reason: refused })),
            pending: 0,
          },
        };
      }
    },
  );
}
