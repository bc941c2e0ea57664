import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const here = import.meta.dirname;

/** Two pages, one build: the operator dashboard (`/ui`) and the customer portal (`/portal`), both from `/ui/assets/`. */
export default defineConfig({
  root: here,
  base: '/ui/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: resolve(here, '..', 'dist', 'ui'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    modulePreload: { polyfill: false },
    rolldownOptions: { input: { index: resolve(here, 'index.html'), portal: resolve(here, 'portal.html') } },
  },
});
