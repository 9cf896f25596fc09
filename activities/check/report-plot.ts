import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { CheckReport } from '../../plugins/api.js';
import { plotSpec, reportHistogram } from '../../lib/checks/report-plot-spec.js';

/**
 * The report's plot (lib/checks/report-plot-spec.ts), rendered to SVG by Vega (headless, no
 * browser) and rasterised to PNG by resvg.
 */

export async function renderSvg(spec: vl.TopLevelSpec): Promise<string> {
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, width = 1200): Uint8Array {
  const png = new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  return new Uint8Array(png);
}

/** The plot of a report that has `details.histogram`, as SVG text and PNG bytes; undefined otherwise. */
export async function renderReportPlot(report: CheckReport): Promise<{ svg: string; png: Uint8Array } | undefined> {
  const h = reportHistogram(report);
  if (!h) return undefined;
  const svg = await renderSvg(plotSpec(report, h) as unknown as vl.TopLevelSpec);
  return { svg, png: svgToPng(svg) };
}
