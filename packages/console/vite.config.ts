/**
 * Builds the console into dist/, served by the gateway at /console. @mnogate/core is bundled (the
 * wizard validates with the same parseConfig as `mnogate validate`); from @mnogate/network only its
 * two browser-safe entry points (`@mnogate/network/address-plan`, `@mnogate/network/swanctl-conf`),
 * since its main entry re-exports the lab, VICI and probes, which need Node.
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // the wizard's chunk carries zod, yaml and libphonenumber-js metadata: large, and loaded on demand
    chunkSizeWarningLimit: 1_500,
  },
});
