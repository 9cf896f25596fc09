import cliProgress from 'cli-progress';
import type { PipelineStatus } from '../common/messages.js';
import { stepLine } from './pipeline-status.js';

const DONE = new Set(['succeeded', 'cached', 'failed', 'skipped', 'cancelled']);

/** Follows a pipeline until it closes: a live line per step (a progress bar on a terminal, changed lines otherwise). */
export async function followPipeline(read: () => Promise<PipelineStatus>, intervalMs = 1000): Promise<PipelineStatus> {
  const tty = process.stdout.isTTY === true;
  const multi = tty
    ? new cliProgress.MultiBar(
        { format: '{bar} {line}', barsize: 12, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const bars = new Map<string, cliProgress.SingleBar>();
  const printed = new Map<string, string>();
  for (;;) {
    const status = await read();
    for (const s of status.steps) {
      const line = stepLine(s, Date.now(), tty);
      const progress = DONE.has(s.state) ? 1 : s.state === 'running' ? 0.5 : 0;
      if (multi) {
        const bar = bars.get(s.key) ?? multi.create(1, 0, { line });
        bars.set(s.key, bar);
        bar.update(progress, { line });
      } else if (printed.get(s.key) !== `${s.state}`) {
        printed.set(s.key, s.state);
        console.log(line);
      }
    }
    if (status.state !== 'running') {
      multi?.stop();
      return status;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
