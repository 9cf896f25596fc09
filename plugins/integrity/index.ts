export { integrity as default } from './plugin.js';
