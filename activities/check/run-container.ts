import { randomUUID } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ContainerBackend, Mount } from '../../lib/containers/container-backend.js';
import { ContainerCheckerError } from '../../plugins/errors.js';

/**
 * Runs one container under the step contract: each input mounted read-only at /inputs/<name>,
 * params at /inputs/params.json, a writable /outputs, no network. Used for container checker
 * plugins (and by tests for data export and the reference trainer).
 */
export interface ContractRun {
  image: string;
  /** name → host path (file or folder), mounted at /inputs/<name>. */
  inputs: Record<string, string>;
  params?: unknown;
  /** Host folder mounted at /outputs (created). */
  outputsDir: string;
  /** Deterministic container name (a retry finds the same container); random when absent. */
  name?: string;
  env?: Record<string, string>;
  command?: string[];
  args?: string[];
  labels?: Record<string, string>;
  memoryMiB?: number;
  onLine?: (line: string) => void;
  signal?: AbortSignal;
}

export async function runContract(containers: ContainerBackend, run: ContractRun): Promise<{ logTail: string }> {
  await mkdir(run.outputsDir, { recursive: true });
  // The image may run as any user: let it write its outputs.
  await chmod(run.outputsDir, 0o777);
  const mounts: Mount[] = Object.entries(run.inputs).map(([name, hostPath]) => ({
    hostPath,
    containerPath: `/inputs/${name}`,
    readOnly: true,
  }));
  if (run.params !== undefined) {
    const paramsFile = join(run.outputsDir, '..', `${basename(run.outputsDir)}-params.json`);
    await writeFile(paramsFile, JSON.stringify(run.params));
    mounts.push({ hostPath: paramsFile, containerPath: '/inputs/params.json', readOnly: true });
  }
  mounts.push({ hostPath: run.outputsDir, containerPath: '/outputs', readOnly: false });
  const name = run.name ?? `tm-check-${randomUUID().slice(0, 12)}`;
  const tail: string[] = [];
  await containers.run({
    name,
    image: run.image,
    command: run.command,
    args: run.args,
    env: run.env ?? {},
    mounts,
    network: 'none',
    memoryMiB: run.memoryMiB,
    labels: { 'tidemark.managed': 'true', 'tidemark.kind': 'checker', ...run.labels },
  });
  try {
    const code = await containers.attach(
      name,
      (line) => {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        run.onLine?.(line);
      },
      run.signal,
    );
    if (code !== 0) throw new ContainerCheckerError(`container ${run.image} exited with code ${code}`, tail.join('\n'));
    return { logTail: tail.join('\n') };
  } finally {
    await containers.stop(name);
  }
}
