// Makes bundles pure ASCII, after esbuild wrote them: `node scripts/ascii-bundle.mjs <path>…`, each
// a bundle file or a folder of them (its .js files, not recursive). Bundles only: elsewhere (tsc's
// output) strings may hold such characters.
//
// Node decodes a module's source with UTF-8 and V8 keeps it for lazy compilation: one character
// beyond ASCII makes the whole file a two-byte string, twice the memory (a peer's bundles: ~2 MiB
// of heap, ~3 MiB of RSS) and a slower decode. esbuild already escapes every such character in
// code (its default `charset: 'ascii'`: strings, templates, regular expressions, identifiers), so
// what remains is in comments: each UTF-16 unit of it becomes one '?', which keeps every line and
// column of a stack trace where it was.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const NOT_ASCII = /[^\x00-\x7f]/g

for (const arg of process.argv.slice(2)) {
  const files = statSync(arg).isDirectory() ? readdirSync(arg).filter(n => n.endsWith('.js')).map(n => join(arg, n)) : [arg]
  for (const path of files) {
    const source = readFileSync(path, 'utf8')
    const ascii = source.replace(NOT_ASCII, '?')
    if (ascii !== source) writeFileSync(path, ascii)
  }
}
