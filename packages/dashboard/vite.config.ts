// The single-page app (src/app) built into dist/ui, served by the peer under /ui.
import { join } from 'node:path'
import { defineConfig } from 'vite'

export default defineConfig({
  root: join(import.meta.dirname, 'src', 'app'),
  base: '/ui/',
  build: {
    outDir: join(import.meta.dirname, 'dist', 'ui'),
    emptyOutDir: true,
    target: 'es2022',
    // No source maps in the package: the app's sources ship in src/app.
    sourcemap: false
  }
})
