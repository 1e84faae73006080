// Bundles the compiled ctl (dist/cli.js) into one file, dist/ipfs-cluster-ctl.mjs: one file to
// load instead of ~150 modules. multiformats' Node sha2 module imports node:crypto at the top,
// and the ctl reaches it through every multiaddr (uint8arrays → multiformats/basics); loading
// node:crypto costs ~5 ms of every command while the ctl never hashes. The bundle's copy gets
// node:crypto on first use instead, with the same synchronous digests.
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { build } from 'esbuild'

const root = join(import.meta.dirname, '..')
const SHA2_IMPORT = "import crypto from 'node:crypto';"
const LAZY_CRYPTO = "const crypto = { createHash: (...args) => process.getBuiltinModule('node:crypto').createHash(...args) };"

/** @type {import('esbuild').Plugin} */
const lazySha2 = {
  name: 'lazy-node-crypto-in-multiformats-sha2',
  setup (b) {
    b.onLoad({ filter: /multiformats[\\/]dist[\\/]src[\\/]hashes[\\/]sha2\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8')
      // A multiformats release that changes this line must be looked at again, not bundled blindly.
      if (!source.includes(SHA2_IMPORT)) throw new Error(`${args.path} no longer starts with ${SHA2_IMPORT}`)
      return { contents: source.replace(SHA2_IMPORT, LAZY_CRYPTO), loader: 'js', resolveDir: dirname(args.path) }
    })
  }
}

await build({
  entryPoints: [join(root, 'dist', 'cli.js')],
  outfile: join(root, 'dist', 'ipfs-cluster-ctl.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  // Non-ASCII only in comments, which ascii-bundle.mjs then replaces: a one-byte source string.
  charset: 'ascii',
  logLevel: 'warning',
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  plugins: [lazySha2]
})
execFileSync(process.execPath, [join(root, '..', '..', 'scripts', 'ascii-bundle.mjs'), join(root, 'dist', 'ipfs-cluster-ctl.mjs')], { stdio: 'inherit' })
