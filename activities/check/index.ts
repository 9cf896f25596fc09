export type { CheckerDeps, CheckSummary, FitCheckerInput, FitCheckerResult, RunCheckerInput, RunCheckerResult } from './check-types';
export { fitChecker } from './fit-checker';
export { renderReportPlot } from './report-plot';
export { runChecker, summarize } from './run-checker';
