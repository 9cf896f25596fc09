/** Every workflow Tidemark registers on a worker. */
export { smoke } from './smoke';
