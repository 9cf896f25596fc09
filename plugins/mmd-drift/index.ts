export { mmdDrift as default } from './plugin.js';
