import { STEP_STATE_COLOURS } from '../../common/state-colours.js';
import type { GraphState } from './model.js';

/** Fill and border of a step box, by state; the same in the Mermaid and the SVG drawing (and the console). */
export const STATE_COLOURS: Record<GraphState, { fill: string; stroke: string }> = STEP_STATE_COLOURS;

export const GRAPH_STATES = Object.keys(STATE_COLOURS) as GraphState[];
