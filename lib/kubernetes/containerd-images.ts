import type Docker from 'dockerode';
import { execa } from 'execa';

/** The label that holds, on an image copied into the node, its Docker image id. */
const ID_LABEL = 'tidemark.docker-id';

/** The containerd namespace the CRI (and so the kubelet) keeps its images in. */
const CRI_NAMESPACE = 'k8s.io';

/** How containerd names an image that Docker calls `ref` (`tidemark/x:tag` → `docker.io/tidemark/x:tag`). */
export function containerdName(ref: string): string {
  const first = ref.split('/')[0]!;
  const hasRegistry = ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const named = hasRegistry ? ref : `docker.io/${ref.includes('/') ? ref : `library/${ref}`}`;
  return /:[^/]+$/.test(named) || named.includes('@') ? named : `${named}:latest`;
}

/**
 * Images of the local Docker engine copied into the containerd of a node that has no registry
 * (the embedded cluster): `docker save | ctr images import`, once per image. The kubelet then finds
 * them with `imagePullPolicy: IfNotPresent`.
 */
export class ContainerdImages {
  private readonly imports = new Map<string, Promise<void>>();

  constructor(
    private readonly socket: string,
    private readonly docker: Docker,
  ) {}

  private ctr(args: string[], input?: NodeJS.ReadableStream) {
    return execa(
      'ctr',
      ['--address', this.socket, '--namespace', CRI_NAMESPACE, ...args],
      input ? { input: input as never } : { stdin: 'ignore' },
    );
  }

  /** The names the node's containerd knows matching a filter (`name==…`, `labels."k"==v`). */
  private async names(filter: string): Promise<string[]> {
    const { stdout } = await this.ctr(['images', 'list', '--quiet', filter]);
    return stdout.split('\n').filter(Boolean);
  }

  /** True when the node's containerd has the image. */
  async has(ref: string): Promise<boolean> {
    return (await this.names(`name==${containerdName(ref)}`)).length > 0;
  }

  /**
   * Copies the image from Docker into the node's containerd unless it is there already. Each copy
   * is labelled with its Docker image id, so the same image under another name (each step of a
   * pipeline builds its own repository from the same context) is only tagged, not copied again.
   */
  async ensure(ref: string): Promise<void> {
    let pending = this.imports.get(ref);
    if (!pending) {
      pending = (async () => {
        if (await this.has(ref)) return;
        const image = this.docker.getImage(ref);
        const id = (await image.inspect()).Id.replace(/^sha256:/, '');
        const [copy] = await this.names(`labels."${ID_LABEL}"==${id}`);
        if (copy) {
          await this.ctr(['images', 'tag', copy, containerdName(ref)]);
        } else {
          await this.ctr(['images', 'import', '-'], await image.get());
        }
        await this.ctr(['images', 'label', containerdName(ref), `${ID_LABEL}=${id}`]);
      })();
      this.imports.set(ref, pending);
      pending.catch(() => this.imports.delete(ref));
    }
    await pending;
  }
}
