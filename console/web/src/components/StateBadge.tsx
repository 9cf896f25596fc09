import { STEP_STATE_COLOURS } from '../../../../common/state-colours.js';

/** Step states' colours (shared with the CLI's drawings), and those of sessions' and workflows' states. */
export const STATE_COLOURS: Record<string, { fill: string; stroke: string }> = {
  ...STEP_STATE_COLOURS,
  completed: STEP_STATE_COLOURS.succeeded,
  waiting: { fill: '#fde68a', stroke: '#b45309' },
  selecting: { fill: '#e0e7ff', stroke: '#4f46e5' },
  retraining: { fill: '#cffafe', stroke: '#0891b2' },
  stopped: { fill: '#e5e7eb', stroke: '#374151' },
  terminated: STEP_STATE_COLOURS.cancelled,
  timed_out: STEP_STATE_COLOURS.failed,
};

export function colours(state: string | undefined) {
  return STATE_COLOURS[(state ?? 'unknown').toLowerCase()] ?? STATE_COLOURS.unknown!;
}

export function StateBadge({ state, title }: { state: string | undefined; title?: string }) {
  const c = colours(state);
  return (
    <span className="badge" style={{ background: c.fill, borderColor: c.stroke }} title={title} data-state={state}>
      {state ?? 'unknown'}
    </span>
  );
}
