import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createInterface } from 'node:readline';
import Docker from 'dockerode';
import * as tar from 'tar';
import { ImageBuildError, ImageMissingError } from './errors.js';
import type { BuildResult, BuildSpec, ContainerBackend, ContainerSpec, StartedContainer } from './container-backend.js';
import { hashBuildContext, listFiles } from './context-hash.js';

function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

/** Splits a byte stream into lines for `onLine`; resolves when the stream ends. */
function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: stream, crlfDelay: Infinity });
    rl.on('line', onLine);
    rl.on('close', resolve);
  });
}

/** Containers on a Docker engine, through dockerode. */
export class DockerBackend implements ContainerBackend {
  /** Image id look-ups in flight, by image (imageDigest). */
  private readonly digests = new Map<string, Promise<string>>();

  constructor(private readonly docker: Docker) {}

  static fromSocket(socketPath: string): DockerBackend {
    return new DockerBackend(new Docker({ socketPath }));
  }

  async build(spec: BuildSpec, onLine: (line: string) => void): Promise<BuildResult> {
    const dockerfile = spec.dockerfile ?? 'Dockerfile';
    // The tag covers the context's bytes and the ids of the local base images, so a rebuilt
    // base (say, tidemark/python-ml after a setup change) rebuilds the steps built on it.
    const bases = await this.baseImageIds(join(spec.context, dockerfile));
    const tag = (await hashBuildContext(spec.context, { dockerfile, args: spec.args ?? {}, bases })).slice(0, 16);
    const image = `${spec.repository}:${tag}`;
    const existing = await this.docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    if (existing) {
      onLine(`image ${image} already built from this content; skipping the build`);
      return { image, digest: existing.Id, cached: true };
    }
    const files = await listFiles(spec.context);
    if (!files.includes(dockerfile)) throw new ImageBuildError(`no ${dockerfile} in build context ${spec.context}`, '');
    const context = tar.create({ cwd: spec.context, portable: true, noMtime: true }, files);
    const tail: string[] = [];
    const log = (line: string) => {
      tail.push(line);
      if (tail.length > 40) tail.shift();
      onLine(line);
    };
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
        t: image,
        dockerfile,
        buildargs: spec.args ?? {},
        networkmode: spec.network ?? 'none',
        rm: true,
        forcerm: true,
      });
    } catch (err) {
      throw new ImageBuildError(`docker build of ${image} could not start: ${(err as Error).message}`, tail.join('\n'));
    }
    const failure = await new Promise<string | undefined>((resolve) => {
      this.docker.modem.followProgress(
        stream,
        (err: Error | null) => resolve(err ? err.message : undefined),
        (event: { stream?: string; error?: string; status?: string }) => {
          for (const line of (event.stream ?? event.status ?? '').split('\n')) if (line.trim()) log(line.trimEnd());
          if (event.error) log(`ERROR: ${event.error}`);
        },
      );
    });
    const built = await this.docker
      .getImage(image)
      .inspect()
      .catch(() => undefined);
    if (failure || !built)
      throw new ImageBuildError(`docker build of ${image} failed${failure ? `: ${failure}` : ''}`, tail.join('\n'));
    return { image, digest: built.Id, cached: false };
  }

  private async baseImageIds(dockerfilePath: string): Promise<Record<string, string>> {
    const text = await readFile(dockerfilePath, 'utf8').catch(() => '');
    const ids: Record<string, string> = {};
    for (const m of text.matchAll(/^\s*FROM\s+(?:--\S+\s+)*(\S+)/gim)) {
      const info = await this.docker
        .getImage(m[1]!)
        .inspect()
        .catch(() => undefined);
      if (info) ids[m[1]!] = info.Id;
    }
    return ids;
  }

  /**
   * The image's id. Look-ups of one image that overlap share one inspect (a leaf of cache hits
   * asks for the same image dozens of times at once); none is kept after it returns, so a
   * re-tagged image is seen by the next look-up.
   */
  imageDigest(image: string): Promise<string> {
    let pending = this.digests.get(image);
    if (!pending) {
      pending = this.inspectDigest(image).finally(() => this.digests.delete(image));
      this.digests.set(image, pending);
    }
    return pending;
  }

  private async inspectDigest(image: string): Promise<string> {
    try {
      return (await this.docker.getImage(image).inspect()).Id;
    } catch (err) {
      if (statusCode(err) === 404) {
        throw new ImageMissingError(
          `image "${image}" does not exist on this Docker engine, and no registry is used. Build it first (a step can say \`build: { context }\`), or check the name.`,
        );
      }
      throw err;
    }
  }

  async exists(name: string): Promise<boolean> {
    return this.docker
      .getContainer(name)
      .inspect()
      .then(
        () => true,
        (err: unknown) => {
          if (statusCode(err) === 404) return false;
          throw err;
        },
      );
  }

  async run(spec: ContainerSpec): Promise<StartedContainer> {
    const hostConfig: Docker.HostConfig = {
      Binds: spec.mounts.map((m) => `${m.hostPath}:${m.containerPath}:${m.readOnly ? 'ro' : 'rw'}`),
      NetworkMode: spec.network,
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      NanoCpus: spec.cpus ? Math.round(spec.cpus * 1e9) : undefined,
      Memory: spec.memoryMiB ? spec.memoryMiB * 1024 * 1024 : undefined,
      MemorySwap: spec.memoryMiB ? spec.memoryMiB * 1024 * 1024 : undefined,
      DeviceRequests: spec.gpus ? [{ Driver: 'nvidia', Count: spec.gpus, Capabilities: [['gpu']] }] : undefined,
      ReadonlyRootfs: spec.readOnlyRootfs ?? false,
      Tmpfs: spec.tmpfs?.length
        ? Object.fromEntries(spec.tmpfs.map((t) => [t.path, `rw,nosuid,nodev,size=${t.sizeMiB}m,mode=1777`]))
        : undefined,
      PidsLimit: spec.pidsLimit,
    };
    let container: Docker.Container;
    try {
      container = await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Entrypoint: spec.command,
        Cmd: spec.args,
        Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
        Labels: spec.labels,
        User: spec.user,
        HostConfig: hostConfig,
        Tty: false,
      });
    } catch (err) {
      // 409: a container of this name exists: an earlier attempt of this step. Reattach to it.
      if (statusCode(err) === 409) {
        const existing = this.docker.getContainer(spec.name);
        if ((await existing.inspect()).State.Status === 'created') await existing.start();
        return { name: spec.name, reattached: true };
      }
      if (statusCode(err) === 404) await this.imageDigest(spec.image); // throws ImageMissingError
      throw err;
    }
    try {
      await container.start();
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      throw err;
    }
    return { name: spec.name, reattached: false };
  }

  async attach(name: string, onLine: (line: string) => void, signal?: AbortSignal): Promise<number> {
    const container = this.docker.getContainer(name);
    // Ask for the exit code and the log at once: one round trip fewer than one after the other.
    const exited = container.wait() as Promise<{ StatusCode: number }>;
    exited.catch(() => undefined); // awaited below; a failed log request must not leave it unhandled
    const raw = (await container.logs({
      follow: true,
      stdout: true,
      stderr: true,
    })) as unknown as NodeJS.ReadableStream;
    const out = new PassThrough();
    this.docker.modem.demuxStream(raw, out, out);
    raw.on('end', () => out.end());
    raw.on('error', () => out.end());
    const lines = forEachLine(out, onLine);
    const onAbort = () => (raw as unknown as { destroy?: () => void }).destroy?.();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await exited;
      await lines;
      return result.StatusCode;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async stop(name: string): Promise<void> {
    const container = this.docker.getContainer(name);
    try {
      await container.remove(); // the common case: it has exited
      return;
    } catch (err) {
      if (statusCode(err) === 404) return;
      if (statusCode(err) !== 409) throw err;
    }
    await container.stop({ t: 5 }).catch(() => undefined); // still running: give it 5 s to end
    await container.remove({ force: true }).catch((err: unknown) => {
      if (statusCode(err) !== 404 && statusCode(err) !== 409) throw err;
    });
  }

  async list(labels: Record<string, string>, opts: { exitedOnly?: boolean } = {}): Promise<string[]> {
    const filters: Record<string, string[]> = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
    if (opts.exitedOnly) filters.status = ['exited', 'dead'];
    const containers = await this.docker.listContainers({ all: true, filters });
    return containers.map((c) => c.Names[0]!.replace(/^\//, ''));
  }
}
