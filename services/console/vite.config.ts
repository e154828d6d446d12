import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Served by the api under /console from dist/: every asset is local, and nothing is
// inlined, so the page runs under a Content-Security-Policy without 'unsafe-inline'.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
});
