import { BASELINE, type Cell, type Evaluation } from './evaluate.js';
import { DEFAULT_LEVEL, SHIFT_TEXT } from './splits.js';

/** Markdown tables of an evaluation, as docs/checkers.md shows them. */

const CHECKERS = ['drift-autoencoder', 'feature-drift', 'integrity', 'mmd-drift', BASELINE];
const pct = (x: number) => `${Math.round(100 * x)}`;

function cellText(c: Cell | undefined): string {
  if (!c) return '–';
  const ins = c.insufficient ? ` [${c.insufficient} insufficient]` : '';
  return `${c.alarms}/${c.runs} = ${pct(c.rate)}% (${pct(c.interval[0])}–${pct(c.interval[1])})${ins}`;
}

function find(e: Evaluation, dataset: string, checker: string, shift: string, size: string, level?: number) {
  return e.cells.find(
    (c) =>
      c.dataset === dataset &&
      c.checker === checker &&
      c.shift === shift &&
      c.size === size &&
      (level === undefined ? c.level === undefined : c.level === level),
  );
}

export function falseAlarmTable(e: Evaluation): string {
  const rows = [
    `| data set | batch rows | ${CHECKERS.join(' | ')} |`,
    `| --- | --- | ${CHECKERS.map(() => '---').join(' | ')} |`,
  ];
  for (const d of e.datasets)
    for (const size of ['small', 'large'] as const) {
      const any = find(e, d.name, CHECKERS[0]!, 'none', size);
      rows.push(
        `| ${d.name} | ${any?.batchRows ?? '?'} | ${CHECKERS.map((c) => cellText(find(e, d.name, c, 'none', size))).join(' | ')} |`,
      );
    }
  return rows.join('\n');
}

export function detectionTable(e: Evaluation): string {
  const rows = [
    `| shift | data set | batch rows | ${CHECKERS.join(' | ')} |`,
    `| --- | --- | --- | ${CHECKERS.map(() => '---').join(' | ')} |`,
  ];
  for (const shift of ['scaling', 'balance', 'subpopulation', 'noise', 'unseen'] as const)
    for (const d of e.datasets)
      for (const size of ['small', 'large'] as const) {
        const any = find(e, d.name, CHECKERS[0]!, shift, size);
        if (!any) continue;
        rows.push(
          `| ${SHIFT_TEXT[shift](DEFAULT_LEVEL[shift])} | ${d.name} | ${any.batchRows} | ${CHECKERS.map((c) => cellText(find(e, d.name, c, shift, size))).join(' | ')} |`,
        );
      }
  return rows.join('\n');
}

export function powerTable(e: Evaluation): string {
  const levels = [...new Set(e.cells.filter((c) => c.level !== undefined).map((c) => c.level!))].sort((a, b) => a - b);
  if (!levels.length) return '';
  const rows = [
    `| data set (large batches) | scaling factor | ${CHECKERS.join(' | ')} |`,
    `| --- | --- | ${CHECKERS.map(() => '---').join(' | ')} |`,
  ];
  for (const d of e.datasets)
    for (const level of [...levels, DEFAULT_LEVEL.scaling].sort((a, b) => a - b))
      rows.push(
        `| ${d.name} | ×${level} | ${CHECKERS.map((c) => {
          const cell =
            level === DEFAULT_LEVEL.scaling && !levels.includes(level)
              ? find(e, d.name, c, 'scaling', 'large')
              : find(e, d.name, c, 'scaling', 'large', level);
          return cell ? `${pct(cell.rate)}%` : '–';
        }).join(' | ')} |`,
      );
  return rows.join('\n');
}

export function summaryLines(e: Evaluation): string[] {
  return CHECKERS.map((c) => {
    const nulls = e.cells.filter((x) => x.checker === c && x.shift === 'none');
    const alarms = nulls.reduce((a, x) => a + x.alarms, 0);
    const runs = nulls.reduce((a, x) => a + x.runs, 0);
    const worst = Math.max(...nulls.map((x) => x.rate));
    return `${c}: false alarms ${alarms}/${runs} over all i.i.d. splits (worst cell ${pct(worst)}%)`;
  });
}
