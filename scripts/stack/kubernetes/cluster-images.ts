import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxTag, IMAGES } from '../../setup/stages.js';
import { stepIoImage } from '../../../lib/kubernetes/step-io-image.js';
import { PROJECT_ROOT } from '../paths.js';
import { KUBE_PINS } from './kube-tools.js';

/** Images the cluster itself needs, built by setup without a registry. */
export const CLUSTER_IMAGES = {
  /** The pod sandbox, compiled from build/pause/linux/pause.c of the pinned Kubernetes module. */
  pause: { repository: 'tidemark/pause', version: 'v3.10.1', recipe: 'scripts/setup/kubernetes/build-pause.sh' },
} as const;

/** The pause image with its content tag: the Kubernetes version and the recipe it is built with. */
export function pauseImage(): string {
  const { repository, version, recipe } = CLUSTER_IMAGES.pause;
  const tag = createHash('sha256')
    .update(KUBE_PINS.kubernetes)
    .update(version)
    .update(readFileSync(join(PROJECT_ROOT, recipe)))
    .digest('hex')
    .slice(0, 12);
  return `${repository}:${tag}`;
}

/**
 * The images the stack copies into the node's containerd when the cluster starts: the pause image
 * (without it no pod starts), the step I/O helper and the small base images setup builds, by content tag. Step images
 * and python-ml (large) are copied by the Kubernetes backend when a step first needs them.
 */
export function clusterImages(): { pause: string; all: string[] } {
  const pause = pauseImage();
  return { pause, all: [pause, stepIoImage(), `${IMAGES.busybox}:${busyboxTag()}`] };
}
