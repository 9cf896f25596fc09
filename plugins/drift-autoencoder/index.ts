export { driftAutoencoder as default } from './plugin.js';
