import type { ArtifactRef } from '../../common/artifact.js';
import type { ContainerSpec } from './container-backend.js';

/** What a step attempt stored: its declared outputs and the numbers of /outputs/metrics.json. */
export interface StagedOutputs {
  outputs: Record<string, ArtifactRef>;
  metrics: Record<string, number>;
}

/**
 * Where a step attempt's `/inputs` and `/outputs` live, and how their bytes move between the
 * artifact store and the container. One implementation per kind of backend: on Docker the worker
 * downloads into a host folder that is bind-mounted (HostFolderStaging); on a cluster the pod
 * moves its own bytes, and the worker only reads what it recorded. Attempts are named by their
 * container's deterministic name, so a retry after a crash finds what its first try staged.
 */
export interface StepStaging {
  /**
   * Stages the inputs (each verified against its sha256) and `params.json` for `/inputs`. A staging
   * that moves the bytes inside the container's pod also needs to know the declared outputs up
   * front, and how long the step may run (its credentials expire with it).
   */
  prepare(
    name: string,
    inputs: Record<string, ArtifactRef | ArtifactRef[]>,
    params: Record<string, unknown>,
    step: { outputs: Record<string, string>; timeoutMs: number },
  ): Promise<void>;
  /** The container spec with what staging adds to it (mounts, volumes, a wrapper). */
  attach(name: string, spec: ContainerSpec): ContainerSpec;
  /** A local file for the step's log, written by the worker as it streams the container's log. */
  logFile(name: string): string;
  /**
   * After the container exited 0: stores the declared outputs and reads `/outputs/metrics.json`.
   * A missing output, or one that leads out of `/outputs`, is a StepContractError naming it.
   */
  collect(name: string, outputs: Record<string, string>): Promise<StagedOutputs>;
  /** Removes whatever staging holds for the attempt; does nothing when there is nothing. */
  remove(name: string): Promise<void>;
  /** Names of attempts that have something staged (for the sweep at worker start). */
  staged(): Promise<string[]>;
}
