import { execa } from 'execa';

/** Runs the `tidemark` CLI as a person would (plain text, no colours); never throws on a non-zero exit. */
export const tidemark = (...args: string[]) =>
  execa('npx', ['tsx', 'cli/main.ts', ...args], { reject: false, env: { ...process.env, NO_COLOR: '1' } });
