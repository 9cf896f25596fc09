import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRef } from '../../common/artifact.js';
import type { TidemarkConfig } from '../../common/config.js';
import type { ArtifactStore } from '../artifacts/artifact-store.js';
import { assumeRole } from '../artifacts/scoped-credentials.js';
import type { ContainerSpec } from '../containers/container-backend.js';
import { StepContractError } from '../containers/errors.js';
import type { StagedOutputs, StepStaging } from '../containers/step-staging.js';
import { StepPodLostError } from './errors.js';

/** What the pod's I/O helper records at the end of an attempt (lib/kubernetes/step-io/spec.go's Result). */
export interface PodResult {
  exitCode: number;
  signal?: string;
  outputs: Record<string, ArtifactRef>;
  metrics: Record<string, number>;
  error?: { kind: 'contract' | 'io'; message: string };
}

/** The index key of an attempt's pod result, by the attempt's container name. */
export function podResultKey(name: string): string {
  return `kube-steps/${name}.json`;
}

/**
 * Staging for steps that run as Kubernetes pods: the bytes never pass through the worker. `prepare`
 * only writes down, for the pod's I/O helper, where the inputs are, where the outputs go, and
 * credentials that allow no more than that (read and write content-addressed objects, write this
 * attempt's result) for as long as the step may run; the init container downloads and verifies
 * the inputs, the helper uploads the outputs after the step's command, and `collect` reads the
 * result it recorded. The worker keeps only the step's log, which it streams from the API server.
 */
export class KubernetesStaging implements StepStaging {
  private readonly specs = new Map<string, string>();

  constructor(
    private readonly store: ArtifactStore,
    private readonly config: TidemarkConfig,
    /** Local folder for the attempts' logs. */
    private readonly logDir: string,
  ) {}

  async prepare(
    name: string,
    inputs: Record<string, ArtifactRef | ArtifactRef[]>,
    params: Record<string, unknown>,
    step: { outputs: Record<string, string>; timeoutMs: number },
  ): Promise<void> {
    const bucket = this.config.minio.bucket;
    const resultKey = podResultKey(name);
    // Content-addressed objects may be read and written (an object's key is its content's hash,
    // and every reader verifies it); nothing may be deleted; of the index, only this attempt's result.
    const creds = await assumeRole(
      this.config.minio,
      [
        { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: [`arn:aws:s3:::${bucket}/cas/*`] },
        { Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`arn:aws:s3:::${bucket}/index/${resultKey}`] },
      ],
      step.timeoutMs / 1000 + 900,
    );
    const files = Object.entries(inputs).flatMap(([input, ref]) =>
      Array.isArray(ref) ? ref.map((r, i) => ({ path: `${input}/${i}`, ref: r })) : [{ path: input, ref }],
    );
    const spec = {
      endpoint: this.config.containers.kubernetes.s3Endpoint ?? this.config.minio.endpoint,
      accessKey: creds.accessKeyId,
      secretKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
      bucket,
      inputs: files,
      // The same bytes as HostFolderStaging writes, so a step reads the same params.json on either backend.
      params: JSON.stringify(params, null, 2),
      outputs: step.outputs,
      resultKey,
    };
    this.specs.set(name, JSON.stringify(spec));
    await mkdir(this.logDir, { recursive: true });
  }

  attach(name: string, spec: ContainerSpec): ContainerSpec {
    return { ...spec, io: this.specs.get(name) };
  }

  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  async collect(name: string): Promise<StagedOutputs> {
    const result = await this.store.readIndex<PodResult>(podResultKey(name));
    if (!result)
      throw new StepPodLostError(`the pod of step attempt ${name} ended without recording its outputs; it is retried`);
    if (result.error?.kind === 'contract') throw new StepContractError(result.error.message);
    if (result.error)
      throw new StepPodLostError(
        `storing the outputs of step attempt ${name} failed in its pod: ${result.error.message}`,
      );
    return { outputs: result.outputs, metrics: result.metrics };
  }

  async remove(name: string): Promise<void> {
    this.specs.delete(name);
    await rm(this.logFile(name), { force: true });
  }

  async staged(): Promise<string[]> {
    const files = await readdir(this.logDir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return files.filter((f) => f.endsWith('.log')).map((f) => f.slice(0, -'.log'.length));
  }
}
