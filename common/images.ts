/** Base images that `npm run setup` builds without any registry (see scripts/images/). */
export const BASE_IMAGES = {
  /** A static busybox: for no-op and shell steps. */
  busybox: 'tidemark/busybox:latest',
  /** Debian bookworm with python3, numpy, pandas, scikit-learn and torch. */
  pythonMl: 'tidemark/python-ml:latest',
} as const;
