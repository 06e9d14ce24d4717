import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = `http://127.0.0.1:${process.env.CAIRN_API_PORT || 3000}`;

export default defineConfig({
  plugins: [react()],
  // The API serves the built app at '/', so assets are referenced from the root.
  base: '/',
  // Pages are chunks (decision 035); the largest, core with zod, is 610 kB: warn if one grows well past it.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: {
    proxy: { '/api': api, '/v1': api, '/t': api },
  },
});
