import { join } from 'node:path';
import type { CheckReport } from '../../plugins/api.js';
import { CheckerStateError } from '../../plugins/errors.js';
import { createCheckerRegistry } from '../../plugins/registry.js';
import { checkPlugin } from '../../plugins/runner.js';
import { readState } from '../../plugins/state-codec.js';
import type { CheckerDeps, CheckSummary, RunCheckerInput, RunCheckerResult } from './check-types.js';
import { runContainerCheck } from './container-checker.js';
import { progressReporter } from './fit-checker.js';
import { renderReportPlot } from './report-plot.js';
import { download, materializeConfig, withWorkspace } from './workspace.js';

/** The small part of a report a workflow keeps: the verdict and the rows worth labelling. */
export function summarize(report: CheckReport): CheckSummary {
  const top = report.details.topAnomalies;
  const topAnomalies = Array.isArray(top)
    ? top
        .map((t: unknown) => (typeof t === 'number' ? t : (t as { index?: unknown }).index))
        .filter((i): i is number => typeof i === 'number')
    : undefined;
  return {
    plugin: report.plugin,
    alarm: report.alarm,
    status: report.status,
    score: report.score,
    threshold: report.threshold,
    ...(report.pValue !== undefined ? { pValue: report.pValue } : {}),
    ...(topAnomalies?.length ? { topAnomalies } : {}),
  };
}

/**
 * Runs a checker on a batch artifact (with the state from fitChecker, and the reference when
 * given); stores the report, and its plot when it has one, as artifacts.
 */
export async function runChecker(deps: CheckerDeps, input: RunCheckerInput): Promise<RunCheckerResult> {
  const registry = deps.registry ?? createCheckerRegistry();
  const resolved = await registry.get(input.plugin);
  return withWorkspace(
    deps.workDir,
    'check',
    async (ws) => {
      const dir = ws.dir;
      const batch = await download(deps.store, input.batch, ws, 'batch');
      const reference = input.reference ? await download(deps.store, input.reference, ws, 'reference') : undefined;
      const statePath = input.state ? await download(deps.store, input.state, ws, 'state') : undefined;
      const config = await materializeConfig(deps.store, input.config, ws);
      let report: CheckReport;
      if (resolved.kind === 'container') {
        report = await runContainerCheck(deps.containers, {
          image: resolved.image,
          config,
          batch,
          reference,
          state: statePath,
          outputsDir: join(dir, 'outputs'),
          name: input.containerName,
          signal: deps.signal,
        });
      } else {
        const { plugin } = resolved;
        let state: unknown;
        if (statePath) {
          const stored = await readState(statePath);
          if (stored.plugin !== plugin.name)
            throw new CheckerStateError(`the state was fitted by "${stored.plugin}", not by "${plugin.name}"`);
          state = stored.state;
        }
        const labels = { batch: ws.labels.get(batch), reference: reference && ws.labels.get(reference) };
        report = await checkPlugin(plugin, { batch, state, reference, labels }, config, {
          progress: progressReporter(deps),
          log: (m) => deps.logger?.info(m),
        });
      }
      const stored = await deps.store.putBytes(`${JSON.stringify(report, null, 1)}\n`, `${report.plugin}-report.json`);
      const result: RunCheckerResult = { report: stored, summary: summarize(report) };
      if (input.plot !== false) {
        const plot = await renderReportPlot(report);
        if (plot) {
          result.plot = {
            svg: await deps.store.putBytes(plot.svg, `${report.plugin}-plot.svg`),
            png: await deps.store.putBytes(plot.png, `${report.plugin}-plot.png`),
          };
        }
      }
      return result;
    },
    input.stepKey,
  );
}
