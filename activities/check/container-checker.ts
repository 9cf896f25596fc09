import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { CheckReportSchema, type CheckReport } from '../../plugins/api.js';
import { ContainerCheckerError } from '../../plugins/errors.js';
import type { ContainerBackend } from '../../lib/containers/container-backend.js';
import { runContract } from './run-container.js';

/**
 * Container checker plugins: any image that reads /inputs/batch (and /inputs/reference,
 * /inputs/state when given) with its config at /inputs/params.json, and writes
 * /outputs/report.json. With TIDEMARK_CHECK_MODE=fit it reads /inputs/reference and writes its
 * state to /outputs/state (a file or a folder). No network.
 */

export const CHECK_MODE_ENV = 'TIDEMARK_CHECK_MODE';

export interface ContainerCheckInput {
  image: string;
  config: unknown;
  /** Local paths, mounted read-only. */
  batch: string;
  reference?: string;
  state?: string;
  outputsDir: string;
  name?: string;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export async function runContainerCheck(
  containers: ContainerBackend,
  input: ContainerCheckInput,
): Promise<CheckReport> {
  const inputs: Record<string, string> = { batch: input.batch };
  if (input.reference) inputs.reference = input.reference;
  if (input.state) inputs.state = input.state;
  const { logTail } = await runContract(containers, {
    image: input.image,
    inputs,
    params: input.config ?? {},
    outputsDir: input.outputsDir,
    name: input.name,
    env: { [CHECK_MODE_ENV]: 'check' },
    onLine: input.onLine,
    signal: input.signal,
  });
  const file = join(input.outputsDir, 'report.json');
  if (!existsSync(file))
    throw new ContainerCheckerError(
      `container checker ${input.image} exited 0 but wrote no /outputs/report.json`,
      logTail,
    );
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new ContainerCheckerError(
      `container checker ${input.image} wrote a /outputs/report.json that is not JSON: ${(err as Error).message}`,
      logTail,
    );
  }
  const parsed = CheckReportSchema.safeParse(json);
  if (!parsed.success)
    throw new ContainerCheckerError(
      `container checker ${input.image} wrote an invalid report:\n${z.prettifyError(parsed.error)}`,
      logTail,
    );
  return parsed.data;
}

/** Runs the image in fit mode; returns the path of what it wrote to /outputs/state. */
export async function runContainerFit(
  containers: ContainerBackend,
  input: {
    image: string;
    config: unknown;
    reference: string;
    outputsDir: string;
    name?: string;
    onLine?: (line: string) => void;
    signal?: AbortSignal;
  },
): Promise<string> {
  const { logTail } = await runContract(containers, {
    image: input.image,
    inputs: { reference: input.reference },
    params: input.config ?? {},
    outputsDir: input.outputsDir,
    name: input.name,
    env: { [CHECK_MODE_ENV]: 'fit' },
    onLine: input.onLine,
    signal: input.signal,
  });
  const state = join(input.outputsDir, 'state');
  if (!existsSync(state))
    throw new ContainerCheckerError(
      `container checker ${input.image} ran in fit mode but wrote no /outputs/state`,
      logTail,
    );
  return state;
}
