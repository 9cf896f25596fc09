import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The console's front end, built into console/dist (served by console/server). `npm run setup`
 * builds it when its sources change; `npx vite --config console/web/vite.config.ts` serves it with
 * hot reload, proxying /api to a console on TIDEMARK_CONSOLE_ADDRESS.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': `http://${process.env.TIDEMARK_CONSOLE_ADDRESS ?? '127.0.0.1:8300'}` },
  },
});
