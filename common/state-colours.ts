import type { StepStateName } from './messages.js';

/**
 * Fill and border of a step by state: the same in the CLI's drawings (SVG, Mermaid) and the
 * console's graph and badges.
 */
export const STEP_STATE_COLOURS: Record<StepStateName | 'unknown', { fill: string; stroke: string }> = {
  pending: { fill: '#e5e7eb', stroke: '#6b7280' },
  running: { fill: '#bfdbfe', stroke: '#2563eb' },
  cached: { fill: '#e9d5ff', stroke: '#7c3aed' },
  succeeded: { fill: '#bbf7d0', stroke: '#16a34a' },
  failed: { fill: '#fecaca', stroke: '#dc2626' },
  skipped: { fill: '#fef3c7', stroke: '#d97706' },
  cancelled: { fill: '#fed7aa', stroke: '#ea580c' },
  unknown: { fill: '#ffffff', stroke: '#9ca3af' },
};
