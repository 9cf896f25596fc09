import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** One stage of `npm run setup`. */
export interface SetupStage {
  name: string;
  /** Returns why the stage has nothing to do (already built, found on PATH, …), or undefined to run it. */
  done(): Promise<string | undefined>;
  run(ctx: StageContext): Promise<void>;
  /** What a person should do when the stage fails. */
  fix: string;
}

/** What a running stage gets: a log file for everything its commands print. */
export class StageContext {
  readonly logFile: string;

  constructor(logsDir: string, stage: string) {
    mkdirSync(logsDir, { recursive: true });
    this.logFile = join(logsDir, `setup-${stage}.log`);
  }

  /** Runs a command with its output appended to the stage's log; throws with the log's tail. */
  async exec(
    command: string,
    args: string[],
    opts: { env?: Record<string, string>; cwd?: string } = {},
  ): Promise<void> {
    const log = { file: this.logFile, append: true } as const;
    try {
      await execa(command, args, { ...opts, stdin: 'ignore', stdout: log, stderr: log });
    } catch (err) {
      const e = err as { exitCode?: number; shortMessage?: string };
      throw new Error(
        `\`${command} ${args.join(' ')}\` failed (${e.exitCode !== undefined ? `exit ${e.exitCode}` : e.shortMessage}).\n${this.tail()}`,
        { cause: err },
      );
    }
  }

  tail(lines = 15): string {
    try {
      const text = readFileSync(this.logFile, 'utf8').trimEnd().split('\n');
      return text
        .slice(-lines)
        .map((l) => `    | ${l}`)
        .join('\n');
    } catch {
      return '';
    }
  }
}

/**
 * Runs `apt-get install` for packages that are missing, after one `apt-get update`. Stages in
 * lanes side by side may both install: the calls go one after the other (dpkg takes one at a time).
 */
let aptUpdated = false;
let aptQueue: Promise<unknown> = Promise.resolve();
export async function aptInstall(ctx: StageContext, packages: string[]): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error(`installing ${packages.join(', ')} needs root (apt-get)`);
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  const run = aptQueue.then(async () => {
    if (!aptUpdated) {
      await ctx.exec('apt-get', ['update', '-qq'], { env });
      aptUpdated = true;
    }
    await ctx.exec('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env });
  });
  aptQueue = run.catch(() => undefined);
  await run;
}
