import Table from 'cli-table3';
import type { RoundSummary } from '../../common/labeling.js';
import type { AskedRound } from './scripted-labeler.js';

export interface SessionOutcome {
  key: string;
  title: string;
  rounds: (RoundSummary & { metrics: Record<string, number>; picked: AskedRound | undefined })[];
}

export interface Results {
  /** The evaluate step's metrics before any labeling. */
  before: Record<string, number>;
  outcomes: SessionOutcome[];
  shift: string;
  batch: number;
  threshold: number;
  percentile: number;
}

const f3 = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(3));

/** One cell: accuracy on the whole test set, on its shifted samples, and [shifted samples / samples] labeled so far. */
function cell(metrics: Record<string, number>, labeled?: { shifted: number; all: number }): string {
  return `${f3(metrics.accuracy)} (${f3(metrics.accuracy_shifted)})${labeled ? ` [${labeled.shifted}/${labeled.all}]` : ''}`;
}

/** Rows: before, then one per round; columns: each session. */
function rows(r: Results): string[][] {
  const out = [['0', '0', ...r.outcomes.map(() => cell(r.before))]];
  const rounds = Math.max(...r.outcomes.map((o) => o.rounds.length));
  for (let i = 0; i < rounds; i++) {
    out.push([
      String(i + 1),
      String((i + 1) * r.batch),
      ...r.outcomes.map((o) => {
        const round = o.rounds[i];
        if (!round) return '– (pool exhausted)';
        const sofar = o.rounds.slice(0, i + 1);
        const shifted = sofar.reduce(
          (s, x) =>
            s +
            Object.entries(x.picked?.kinds ?? {})
              .filter(([k]) => k !== 'upright')
              .reduce((a, [, n]) => a + n, 0),
          0,
        );
        return cell(round.metrics, { shifted, all: sofar.reduce((s, x) => s + x.labeled, 0) });
      }),
    ]);
  }
  return out;
}

/** Prints the comparison as a terminal table and as Markdown (for the README). */
export function printResults(r: Results): void {
  const head = ['round', 'label budget so far', ...r.outcomes.map((o) => o.title)];
  const table = new Table({ head });
  for (const row of rows(r)) table.push(row);
  console.log(
    `\nshift: ${r.shift}; ${r.batch} labels a round; autoencoder minScore = reference p${r.percentile} = ${r.threshold.toFixed(2)}`,
  );
  console.log('cells: test accuracy (accuracy on its shifted samples) [shifted samples / samples labeled so far]');
  console.log(table.toString());
  console.log('\nMarkdown:\n');
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| ${head.map(() => '---').join(' | ')} |`);
  for (const row of rows(r)) console.log(`| ${row.join(' | ')} |`);
}
