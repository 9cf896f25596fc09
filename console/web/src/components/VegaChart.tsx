import { useEffect, useRef, useState } from 'react';
import embed, { type VisualizationSpec } from 'vega-embed';

/**
 * A vega-lite spec drawn live in the page (SVG, so it stays sharp), by vega-embed: the same specs
 * the checkers produce for MLflow's PNG and SVG plots.
 */
export function VegaChart({ spec, label }: { spec: Record<string, unknown>; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string>();
  const text = JSON.stringify(spec);
  useEffect(() => {
    if (!el.current) return;
    let finalize: (() => void) | undefined;
    let cancelled = false;
    embed(el.current, JSON.parse(text) as VisualizationSpec, { renderer: 'svg', actions: false })
      .then((r) => {
        if (cancelled) r.finalize();
        else finalize = () => r.finalize();
      })
      .catch((err: unknown) => setError((err as Error).message));
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [text]);
  return (
    <figure className="chart" aria-label={label} data-testid="vega-chart">
      <div ref={el} />
      {error && <figcaption className="error-note">{error}</figcaption>}
    </figure>
  );
}
