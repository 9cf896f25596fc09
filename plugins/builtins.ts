import type { CheckerPlugin } from './api';
import driftAutoencoder from './drift-autoencoder';
import featureDrift from './feature-drift';
import integrity from './integrity';

/** The checkers that ship with Tidemark. An explicit list: importing a plugin registers nothing. */
export const BUILTIN_CHECKERS: readonly CheckerPlugin[] = [driftAutoencoder, featureDrift, integrity] as readonly CheckerPlugin[];
