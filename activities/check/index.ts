export type {
  CheckerDeps,
  CheckSummary,
  FitCheckerInput,
  FitCheckerResult,
  RunCheckerInput,
  RunCheckerResult,
} from './check-types.js';
export { fitChecker } from './fit-checker.js';
export { renderReportPlot } from './report-plot.js';
export { runChecker, summarize } from './run-checker.js';
