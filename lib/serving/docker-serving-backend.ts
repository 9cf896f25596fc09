import Docker from 'dockerode';
import type { ModelServerSpec, ModelServerState, ServingBackend } from './serving-backend.js';

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/**
 * Model servers as Docker containers on the host network, each on its loopback port, with the
 * step containers' hardening: no privileges, every capability dropped, `no-new-privileges`, CPU
 * and memory limits. The model folder is staged on the host by `stage` and mounted read-only at
 * /model, so the container gets no credentials and needs no access to MinIO or MLflow.
 */
export class DockerServingBackend implements ServingBackend {
  constructor(
    private readonly docker: Docker,
    private readonly stage: (source: string) => Promise<string>,
  ) {}

  static fromSocket(socketPath: string, stage: (source: string) => Promise<string>): DockerServingBackend {
    return new DockerServingBackend(new Docker({ socketPath }), stage);
  }

  async start(spec: ModelServerSpec): Promise<{ reattached: boolean }> {
    const existing = await this.docker
      .getContainer(spec.name)
      .inspect()
      .catch((err: unknown) => {
        if (statusCode(err) === 404) return undefined;
        throw err;
      });
    if (existing) {
      if (!existing.State.Running) await this.docker.getContainer(spec.name).start();
      return { reattached: true };
    }
    const modelDir = await this.stage(spec.source);
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Cmd: [String(spec.port), String(spec.workers)],
        Labels: spec.labels,
        Env: ['MLFLOW_DISABLE_TELEMETRY=true', 'DO_NOT_TRACK=true'],
        HostConfig: {
          Binds: [`${modelDir}:/model:ro`],
          NetworkMode: 'host',
          Privileged: false,
          CapDrop: ['ALL'],
          SecurityOpt: ['no-new-privileges'],
          NanoCpus: Math.round(spec.cpus * 1e9),
          Memory: spec.memoryMiB * 1024 * 1024,
          MemorySwap: spec.memoryMiB * 1024 * 1024,
          PidsLimit: 512,
        },
        Tty: false,
      });
    } catch (err) {
      if (statusCode(err) === 409) return this.start(spec); // created by a concurrent attempt
      throw err;
    }
    await container.start();
    return { reattached: false };
  }

  async state(name: string): Promise<ModelServerState> {
    const c = this.docker.getContainer(name);
    const info = await c.inspect().catch((err: unknown) => {
      if (statusCode(err) === 404) return undefined;
      throw err;
    });
    if (!info) return { exists: false, running: false };
    if (info.State.Running) return { exists: true, running: true };
    const log = (await c.logs({ stdout: true, stderr: true, tail: 30 })) as unknown as Buffer;
    // Docker multiplexes stdout and stderr with 8-byte frame headers; strip them for a readable tail.
    const text = stripFrames(log);
    return { exists: true, running: false, logTail: text };
  }

  address(spec: Pick<ModelServerSpec, 'port'>): string {
    return `http://127.0.0.1:${spec.port}`;
  }

  async stop(name: string): Promise<void> {
    const c = this.docker.getContainer(name);
    await c.stop({ t: 5 }).catch(() => undefined);
    await c.remove({ force: true }).catch((err: unknown) => {
      if (statusCode(err) !== 404 && statusCode(err) !== 409) throw err;
    });
  }

  async list(labels: Record<string, string>): Promise<string[]> {
    const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
    const containers = await this.docker.listContainers({ all: true, filters });
    return containers.map((c) => c.Names[0]!.replace(/^\//, ''));
  }
}

function stripFrames(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0) {
    const len = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + len));
    i += 8 + len;
  }
  return (out.length ? Buffer.concat(out) : buf).toString('utf8').trimEnd();
}
