import { setTimeout as sleep } from 'node:timers/promises';
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { followAttempt, type AttemptEnd, type FollowContext } from './attempt-follower.js';
import { largestNode } from './classify-failure.js';

const isCode = (err: unknown, code: number) => err instanceof ApiException && err.code === code;

/** The Job's pods carry this label (set by the Job controller). */
const jobSelector = (name: string) => `batch.kubernetes.io/job-name=${name}`;

/**
 * Step attempts as Jobs in one namespace, through the Kubernetes API: create (or find, on a retry),
 * follow to the end with the step's log, remove. A Job's name is the attempt's deterministic name,
 * so creating it twice finds the first one: there is never a second Job for one attempt.
 */
export class StepJobs {
  private constructor(
    readonly kc: KubeConfig,
    readonly namespace: string,
    private readonly batch: BatchV1Api,
    private readonly core: CoreV1Api,
  ) {}

  /** Connects with a kubeconfig file, or the usual places (KUBECONFIG, ~/.kube/config, in-cluster). */
  static async open(opts: { kubeconfig?: string; namespace: string }): Promise<StepJobs> {
    const kc = new KubeConfig();
    if (opts.kubeconfig) kc.loadFromFile(opts.kubeconfig);
    else kc.loadFromDefault();
    return new StepJobs(kc, opts.namespace, kc.makeApiClient(BatchV1Api), kc.makeApiClient(CoreV1Api));
  }

  /** Creates the Job, or finds the one of the same name (a retry after a worker crash). */
  async start(manifest: V1Job): Promise<{ reattached: boolean }> {
    try {
      await this.batch.createNamespacedJob({ namespace: this.namespace, body: manifest });
      return { reattached: false };
    } catch (err) {
      if (isCode(err, 409)) return { reattached: true };
      throw err;
    }
  }

  async job(name: string): Promise<V1Job | undefined> {
    return this.batch.readNamespacedJob({ name, namespace: this.namespace }).catch((err: unknown) => {
      if (isCode(err, 404)) return undefined;
      throw err;
    });
  }

  async pods(name: string): Promise<V1Pod[]> {
    return (await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: jobSelector(name) })).items;
  }

  /** Jobs carrying every one of these labels (values as labelValue made them). */
  async list(labels: Record<string, string>): Promise<V1Job[]> {
    const labelSelector = Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    return (await this.batch.listNamespacedJob({ namespace: this.namespace, labelSelector })).items;
  }

  /**
   * Deletes the Job and its pod. `foreground`: the Job goes only after its pod, and this waits until
   * both are gone (cancellation); otherwise the API server removes the pod in the background.
   */
  async remove(name: string, opts: { foreground?: boolean } = {}): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({
        name,
        namespace: this.namespace,
        propagationPolicy: opts.foreground ? 'Foreground' : 'Background',
      });
    } catch (err) {
      if (isCode(err, 404)) return;
      throw err;
    }
    if (!opts.foreground) return;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && ((await this.job(name)) || (await this.pods(name)).length > 0)) await sleep(100);
  }

  /** Follows an attempt to its end with its log; see followAttempt. */
  follow(
    name: string,
    onLine: (line: string) => void,
    classify: FollowContext['classify'],
    signal?: AbortSignal,
  ): Promise<AttemptEnd> {
    return followAttempt(
      name,
      {
        kc: this.kc,
        namespace: this.namespace,
        job: () => this.job(name),
        pods: () => this.pods(name),
        largestNode: async () => largestNode((await this.core.listNode()).items),
        classify,
      },
      onLine,
      signal,
    );
  }
}
