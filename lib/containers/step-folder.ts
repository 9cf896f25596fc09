import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../../common/artifact.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { StepContractError } from './errors.js';
import { checkOutput, readStepFile, type CheckedOutput } from './output-guard.js';

/**
 * The host folder of one step container: `inputs/` (mounted read-only at /inputs), `outputs/`
 * (mounted at /outputs) and `step.log`. It is named after the container, so a retry that
 * reattaches to a running container also finds its folder.
 */
export class StepFolder {
  readonly inputs: string;
  readonly outputs: string;
  readonly logFile: string;

  constructor(readonly root: string) {
    this.inputs = join(root, 'inputs');
    this.outputs = join(root, 'outputs');
    this.logFile = join(root, 'step.log');
  }

  /** Fresh folders with the inputs downloaded (hash-verified) and params.json written. */
  async prepare(
    store: ArtifactStore,
    inputs: Record<string, ArtifactRef | ArtifactRef[]>,
    params: Record<string, unknown>,
  ): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
    await mkdir(this.inputs, { recursive: true });
    await mkdir(this.outputs, { recursive: true });
    // The step runs as another user than the worker (see ContainerSpec.user), so its outputs
    // folder is open to every user; the attempt's folder around it is the worker's alone (a bind
    // mount does not pass through it), so no other local user can reach /outputs.
    await chmod(this.root, 0o700);
    await chmod(this.outputs, 0o777);
    for (const [name, ref] of Object.entries(inputs)) {
      if (Array.isArray(ref)) {
        // A list (the outputs of a mapped step) becomes a folder: /inputs/<name>/<index>
        for (const [i, r] of ref.entries()) await store.get(r, join(this.inputs, name, String(i)));
      } else {
        await store.get(ref, join(this.inputs, name));
      }
    }
    await writeFile(join(this.inputs, 'params.json'), JSON.stringify(params, null, 2));
  }

  /**
   * The declared outputs, each resolved to its real path inside the output folder; a missing one,
   * or one that leads out of it (see output-guard.ts), breaks the step contract.
   */
  async outputPaths(outputs: Record<string, string>): Promise<Record<string, CheckedOutput>> {
    const found: Record<string, CheckedOutput> = {};
    const missing: string[] = [];
    for (const [name, rel] of Object.entries(outputs)) {
      const checked = await checkOutput(this.outputs, name, rel);
      if (checked) found[name] = checked;
      else missing.push(`${name} (/outputs/${rel})`);
    }
    if (missing.length) throw new StepContractError(`the step exited 0 but did not write: ${missing.join(', ')}`);
    return found;
  }

  /** Numeric metrics from /outputs/metrics.json; anything else there is a contract error. */
  async metrics(): Promise<Record<string, number>> {
    const text = await readStepFile(join(this.outputs, 'metrics.json'), '/outputs/metrics.json');
    if (text === undefined) return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new StepContractError(`/outputs/metrics.json is not JSON: ${(err as Error).message}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
      throw new StepContractError('/outputs/metrics.json must be an object of { "name": number }');
    const metrics: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed)) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw new StepContractError(`/outputs/metrics.json: "${k}" is ${JSON.stringify(v)}, not a finite number`);
      metrics[k] = v;
    }
    return metrics;
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
