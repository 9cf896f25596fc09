import { fileURLToPath } from 'node:url';

/**
 * The model server's image, built from lib/serving/image FROM tidemark/python-ml like a step's
 * image: content-tagged, built once per content (and per base image), with network `host` so pip
 * reaches PyPI. The versions below are what the Dockerfile installs; MLmodel files Tidemark writes
 * itself name them.
 */
export const SERVING_IMAGE = {
  context: fileURLToPath(new URL('./image/', import.meta.url)),
  repository: 'tidemark/serve',
  pythonVersion: '3.11.2',
  onnxVersion: '1.17.0',
  mlflowVersion: '3.17.2',
} as const;
