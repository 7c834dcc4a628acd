import { defineConfig } from 'vite';

// The bundle is served by the service from its classpath (app's static resources).
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
    sourcemap: false,
  },
});
