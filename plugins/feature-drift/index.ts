export { featureDrift as default } from './plugin.js';
