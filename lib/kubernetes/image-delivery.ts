import type Docker from 'dockerode';
import type { TidemarkConfig } from '../../common/config.js';
import { ContainerdImages } from './containerd-images.js';
import { RegistryMissingError } from './errors.js';

/** What a step's pod needs to know about its image, from the image's config in Docker. */
export interface DeliveredImage {
  /** The reference the pod names: content-tagged, in the node's containerd or in the registry. */
  ref: string;
  entrypoint: string[];
  cmd: string[];
  /** The image's numeric user, when it is one other than root. */
  nonRootUser?: number;
}

/** How images that exist in the worker's Docker get to the cluster's nodes. */
export type ImageRoute = { to: 'node'; containerdSocket: string } | { to: 'registry'; registry?: string };

/** The route of the configured cluster: its node's containerd when set (the embedded cluster), else the registry. */
export function imageRoute(config: TidemarkConfig): ImageRoute {
  const k = config.containers.kubernetes;
  return k.nodeContainerd
    ? { to: 'node', containerdSocket: k.nodeContainerd }
    : { to: 'registry', registry: k.registry };
}

/** A numeric `uid` or `uid:gid` other than 0; a named user is left to the image (its uid is unknown here). */
function numericUser(user: string | undefined): number | undefined {
  const m = /^(\d+)(:\d+)?$/.exec(user ?? '');
  return m && Number(m[1]) !== 0 ? Number(m[1]) : undefined;
}

/**
 * Gets the images of the worker's Docker engine to the cluster. The embedded cluster has no
 * registry: images are copied into its node's containerd. A real cluster pulls from
 * TIDEMARK_REGISTRY, where images are pushed. Either way the pod names a tag that never moves: an
 * image Docker knows only as `:latest` (the base images) gets a tag of its image id.
 */
export class ImageDelivery {
  private readonly node?: ContainerdImages;

  constructor(
    private readonly docker: Docker,
    private readonly route: ImageRoute,
  ) {
    if (route.to === 'node') this.node = new ContainerdImages(route.containerdSocket, docker);
  }

  async deliver(image: string): Promise<DeliveredImage> {
    const info = await this.docker.getImage(image).inspect();
    const [repo, tag] = splitRef(image);
    let local = image;
    if (!tag || tag === 'latest') {
      local = `${repo}:id-${info.Id.replace(/^sha256:/, '').slice(0, 12)}`;
      await this.docker.getImage(image).tag({ repo, tag: local.slice(repo.length + 1) });
    }
    const ref = await this.publish(local);
    const list = (v: string | string[] | null | undefined) => (v == null ? [] : Array.isArray(v) ? v : [v]);
    return {
      ref,
      entrypoint: list(info.Config.Entrypoint),
      cmd: list(info.Config.Cmd),
      nonRootUser: numericUser(info.Config.User),
    };
  }

  private async publish(local: string): Promise<string> {
    if (this.node) {
      await this.node.ensure(local);
      return local;
    }
    const registry = this.route.to === 'registry' ? this.route.registry : undefined;
    if (!registry) {
      throw new RegistryMissingError(
        `image "${local}" exists only in the worker's Docker, and the cluster cannot pull it from there. Set TIDEMARK_REGISTRY to a registry the cluster pulls from (for example registry.example.com/ml); Tidemark pushes step images there.`,
      );
    }
    const [repo, tag] = splitRef(local);
    const target = `${registry.replace(/\/$/, '')}/${repo.split('/').pop()}`;
    await this.docker.getImage(local).tag({ repo: target, tag });
    const stream = await this.docker.getImage(`${target}:${tag}`).push({ tag });
    await new Promise<void>((resolve, reject) => {
      this.docker.modem.followProgress(stream, (err: Error | null, events: { error?: string }[]) => {
        const failed = err?.message ?? events.find((e) => e.error)?.error;
        if (failed) reject(new Error(`pushing ${target}:${tag} to TIDEMARK_REGISTRY (${registry}) failed: ${failed}`));
        else resolve();
      });
    });
    return `${target}:${tag}`;
  }
}

/** `repo[:tag]`, where the repository may hold a registry with a port. */
export function splitRef(ref: string): [string, string | undefined] {
  const at = ref.lastIndexOf(':');
  return at > ref.lastIndexOf('/') ? [ref.slice(0, at), ref.slice(at + 1)] : [ref, undefined];
}
