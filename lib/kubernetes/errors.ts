import { NonRetryableError } from '../../common/errors.js';

/** Thrown when a step's container is killed at its memory limit (OOMKilled). */
export class StepOutOfMemoryError extends NonRetryableError {
  override name = 'StepOutOfMemoryError';
}

/** Thrown when the cluster cannot get a step's image (ErrImageNeverPull, ImagePullBackOff, InvalidImageName). */
export class StepImageUnavailableError extends NonRetryableError {
  override name = 'StepImageUnavailableError';
}

/** Thrown when no node of the cluster could ever fit what a step asks for (cpus, memory, gpus). */
export class StepUnschedulableError extends NonRetryableError {
  override name = 'StepUnschedulableError';
}

/** Thrown when a step's Job ran past its deadline, the step's timeout (DeadlineExceeded). */
export class StepDeadlineError extends NonRetryableError {
  override name = 'StepDeadlineError';
}

/** Thrown when Kubernetes refuses a step's pod or container as specified (CreateContainerConfigError, …). */
export class StepPodSpecError extends NonRetryableError {
  override name = 'StepPodSpecError';
}

/**
 * Thrown when a step's pod ended for a reason outside the step (evicted, its node lost, the input
 * download interrupted): a retry may well succeed, so it is retried.
 */
export class StepPodLostError extends Error {
  override name = 'StepPodLostError';
}

/** Thrown when a Kubernetes step needs TIDEMARK_REGISTRY (a real cluster has no access to the worker's Docker images) and it is not set. */
export class RegistryMissingError extends NonRetryableError {
  override name = 'RegistryMissingError';
}

/** Thrown when a Job would name an image by a moving tag (`:latest`), which a node could pull anew. */
export class MovingImageTagError extends NonRetryableError {
  override name = 'MovingImageTagError';
}
