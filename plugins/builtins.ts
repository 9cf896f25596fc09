import type { CheckerPlugin } from './api.js';
import driftAutoencoder from './drift-autoencoder/index.js';
import featureDrift from './feature-drift/index.js';
import integrity from './integrity/index.js';
import mmdDrift from './mmd-drift/index.js';

/** The checkers that ship with Tidemark. An explicit list: importing a plugin registers nothing. */
export const BUILTIN_CHECKERS: readonly CheckerPlugin[] = [
  driftAutoencoder,
  featureDrift,
  integrity,
  mmdDrift,
] as readonly CheckerPlugin[];
