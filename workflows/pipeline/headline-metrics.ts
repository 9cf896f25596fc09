import type { PipelineStatus } from '../../common/messages.js';
import { dependencies, type PipelineSpec } from '../../common/pipeline-spec.js';

/**
 * The figures a pipeline's own MLflow run carries, so that runs compare side by side in
 * MLflow's run table without opening their step runs: the metrics of the pipeline's last steps
 * (those no other step depends on, such as `evaluate`), under their own names (`<step>.<name>`
 * where two last steps report the same name), its duration and how many steps were cache hits.
 */
export function headlineMetrics(spec: PipelineSpec, status: PipelineStatus): Record<string, number> {
  const needed = new Set(spec.steps.flatMap((s) => dependencies(s)));
  const last = spec.steps.filter((s) => !needed.has(s.name)).map((s) => s.name);
  const reported = last.flatMap((name) => {
    const metrics = status.steps.find((s) => s.key === name)?.metrics ?? {};
    return Object.entries(metrics).map(([metric, value]) => ({ name, metric, value }));
  });
  const seen = new Map<string, number>();
  for (const r of reported) seen.set(r.metric, (seen.get(r.metric) ?? 0) + 1);
  const out: Record<string, number> = {};
  for (const r of reported) out[seen.get(r.metric)! > 1 ? `${r.name}.${r.metric}` : r.metric] = r.value;
  if (status.endedAt !== undefined) out.duration_s = (status.endedAt - status.startedAt) / 1000;
  out.cache_hits = status.steps.filter((s) => s.state === 'cached').length;
  return out;
}
