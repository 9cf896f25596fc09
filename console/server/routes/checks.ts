import type { FastifyInstance } from 'fastify';
import type { CheckReportView, MonitorReportView, MonitorRow, MonitorView } from '../../../common/console-api.js';
import { DriftAlarm } from '../../../common/search-attributes.js';
import { plotSpec, reportHistogram, type PlottedReport } from '../../../lib/checks/report-plot-spec.js';
import type { ConsoleContext } from '../context.js';
import { readJsonArtifact } from '../artifact-reader.js';
import { listWorkflows } from '../workflow-list.js';
import { describe } from './pipelines.js';

/** Checks and monitors: a checker report with its plot, the monitors, and one monitor's recent batches. */
export function checkRoutes(app: FastifyInstance, ctx: ConsoleContext): void {
  app.get<{ Params: { sha: string } }>('/api/checks/reports/:sha', async (req): Promise<CheckReportView> => {
    const report = await readJsonArtifact<CheckReportView['report']>(ctx, req.params.sha);
    const histogram = reportHistogram(report as PlottedReport);
    return { report, ...(histogram ? { plotSpec: plotSpec(report as PlottedReport, histogram) } : {}) };
  });

  app.get('/api/monitors', async (): Promise<MonitorRow[]> => {
    const rows = await listWorkflows(await ctx.temporal(), "WorkflowType = 'monitor'", 200);
    return rows.map((wf) => ({
      workflowId: wf.workflowId,
      runId: wf.runId,
      execution: wf.status.name,
      driftAlarm: wf.typedSearchAttributes.get(DriftAlarm),
      startTime: wf.startTime.toISOString(),
      temporalUrl: ctx.temporalUrl(wf.workflowId, wf.runId),
    }));
  });

  app.get<{ Params: { id: string } }>('/api/monitors/:id', async (req): Promise<MonitorView> => {
    const client = await ctx.temporal();
    const desc = await describe(client.workflow.getHandle(req.params.id).describe(), req.params.id);
    const handle = client.workflow.getHandle(req.params.id, desc.runId);
    const [reports, checked] = await Promise.all([
      handle.query<MonitorReportView[]>('reports'),
      handle.query<number>('checked'),
    ]);
    return { workflowId: desc.workflowId, checked, reports, temporalUrl: ctx.temporalUrl(desc.workflowId) };
  });
}
