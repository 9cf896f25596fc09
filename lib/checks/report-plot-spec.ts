import { z } from 'zod';

/**
 * The vega-lite spec of a checker report's plot: reference and batch histograms on shared bins
 * (as shares, so samples of different sizes compare), and the threshold as a vertical line.
 * The worker renders it to SVG and PNG for MLflow (activities/check/report-plot.ts); the console
 * draws the same spec live in the browser.
 */

/** The part of a checker report the plot reads. */
export interface PlottedReport {
  plugin: string;
  alarm: boolean;
  score: number;
  threshold: number;
  pValue?: number;
  details: Record<string, unknown>;
}

const HistogramSchema = z.object({
  label: z.string(),
  edges: z.array(z.number()).min(2),
  reference: z.array(z.number()),
  batch: z.array(z.number()),
  threshold: z.number().optional(),
});

export type ReportHistogram = z.infer<typeof HistogramSchema>;

export function reportHistogram(report: PlottedReport): ReportHistogram | undefined {
  const parsed = HistogramSchema.safeParse(report.details.histogram);
  return parsed.success ? parsed.data : undefined;
}

export function plotSpec(report: PlottedReport, h: ReportHistogram): Record<string, unknown> {
  const rows: { start: number; end: number; share: number; sample: string }[] = [];
  for (const [sample, counts] of [
    ['reference', h.reference],
    ['batch', h.batch],
  ] as const) {
    const total = counts.reduce((a, b) => a + b, 0) || 1;
    counts.forEach((c, i) => rows.push({ start: h.edges[i]!, end: h.edges[i + 1]!, share: c / total, sample }));
  }
  const verdict = report.alarm ? 'ALARM' : 'no alarm';
  const pv = report.pValue;
  const p =
    pv === undefined ? '' : pv === 0 ? ', p < 1e-300' : `, p = ${pv < 1e-3 ? pv.toExponential(1) : pv.toPrecision(2)}`;
  const layers: Record<string, unknown>[] = [
    {
      data: { values: rows },
      mark: { type: 'rect', opacity: 0.55 },
      encoding: {
        x: { field: 'start', type: 'quantitative', title: h.label, scale: { zero: false } },
        x2: { field: 'end' },
        y: { field: 'share', type: 'quantitative', title: 'share of rows', stack: null },
        color: {
          field: 'sample',
          type: 'nominal',
          scale: { domain: ['reference', 'batch'], range: ['#4c78a8', '#f58518'] },
          title: null,
        },
      },
    },
  ];
  if (h.threshold !== undefined) {
    layers.push({
      data: { values: [{ threshold: h.threshold }] },
      mark: { type: 'rule', color: '#d62728', strokeDash: [6, 4], strokeWidth: 2 },
      encoding: { x: { field: 'threshold', type: 'quantitative' } },
    });
    layers.push({
      data: { values: [{ threshold: h.threshold, label: 'threshold' }] },
      mark: { type: 'text', color: '#d62728', align: 'left', dx: 4, dy: -6, baseline: 'top' },
      encoding: { x: { field: 'threshold', type: 'quantitative' }, y: { value: 0 }, text: { field: 'label' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: `${report.plugin}: ${verdict}${p}`,
      subtitle: `score ${report.score.toPrecision(3)} vs threshold ${report.threshold.toPrecision(3)}`,
    },
    width: 560,
    height: 280,
    background: 'white',
    layer: layers,
  };
}
