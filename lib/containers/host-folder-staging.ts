import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../../common/artifact.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import type { ContainerSpec } from './container-backend.js';
import { StepFolder } from './step-folder.js';
import type { StagedOutputs, StepStaging } from './step-staging.js';

/** The host folder of a step attempt, named after its container. */
export function stepFolderPath(workDir: string, container: string): string {
  return join(workDir, 'steps', container);
}

/**
 * Staging in a host folder per attempt (`<workDir>/steps/<name>`), bind-mounted into the
 * container: the worker downloads the inputs before the start and uploads the outputs after the
 * exit. For engines that share the worker's file system (Docker on the worker's machine).
 */
export class HostFolderStaging implements StepStaging {
  constructor(
    private readonly store: ArtifactStore,
    private readonly workDir: string,
  ) {}

  private folder(name: string): StepFolder {
    return new StepFolder(stepFolderPath(this.workDir, name));
  }

  async prepare(name: string, inputs: Record<string, ArtifactRef | ArtifactRef[]>, params: Record<string, unknown>) {
    await this.folder(name).prepare(this.store, inputs, params);
  }

  attach(name: string, spec: ContainerSpec): ContainerSpec {
    const folder = this.folder(name);
    return {
      ...spec,
      mounts: [
        ...spec.mounts,
        { hostPath: folder.inputs, containerPath: '/inputs', readOnly: true },
        { hostPath: folder.outputs, containerPath: '/outputs', readOnly: false },
      ],
    };
  }

  logFile(name: string): string {
    return this.folder(name).logFile;
  }

  async collect(name: string, outputs: Record<string, string>): Promise<StagedOutputs> {
    const folder = this.folder(name);
    const paths = await folder.outputPaths(outputs);
    const metrics = await folder.metrics();
    // The outputs go up beside each other, each read at its checked real path without following links.
    const refs = await Promise.all(
      Object.entries(paths).map(
        async ([out, checked]) => [out, await this.store.put(checked.path, out, { noFollow: true })] as const,
      ),
    );
    return { outputs: Object.fromEntries(refs), metrics };
  }

  async remove(name: string): Promise<void> {
    await this.folder(name).remove();
  }

  async staged(): Promise<string[]> {
    return readdir(join(this.workDir, 'steps')).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
  }
}
