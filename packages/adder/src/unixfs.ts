/**
 * UnixFS adds: ipfs-unixfs-importer builds each file's DAG with Kubo's settings (one file after
 * the other, as the multipart body arrives); our tree builder outputs every file as soon as it is
 * chunked and records it; directories are then built and output bottom-up (directories.ts).
 * Without wrapping, each top-level entry is added in turn (as Kubo's `add` command does) and the
 * last is the root; with wrapping, everything goes in one directory named ''. A nameless file is
 * a top-level entry of its own, named after its CID inside a wrapper (as Kubo puts stdin in MFS).
 */
import { importer } from 'ipfs-unixfs-importer'
import type { ImportCandidate, ImporterOptions, TreeBuilder } from 'ipfs-unixfs-importer'
import { balanced, trickle } from 'ipfs-unixfs-importer/layout'
import type { BlockWriter } from './block-writer.ts'
import { createChunker } from './chunker.ts'
import { buildDirectories } from './directories.ts'
import { topName } from './entries.ts'
import type { EntrySource, UploadEntry } from './entries.ts'
import { InvalidUploadError } from './errors.ts'
import { MAX_LINKS_PER_BLOCK } from './params.ts'
import type { DagSettings } from './params.ts'
import { countBytes } from './progress.ts'
import type { ProgressFeed } from './progress.ts'
import { DirectoryTree } from './tree.ts'
import type { AddedNode } from './types.ts'

/** Kubo's trickle builder (boxo): 174 links per node, depth repeated 4 times. */
const TRICKLE_LAYER_REPEAT = 4

export interface UnixfsContext {
  settings: DagSettings
  writer: BlockWriter
  progress: ProgressFeed | undefined
}

/** Files and symlinks enter the tree with their final CIDs, and are output right away. */
function treeBuilder (tree: DirectoryTree, writer: BlockWriter): TreeBuilder {
  return async function * (source) {
    for await (const entry of source) {
      const result = writer.finalResult(entry)
      const path = entry.path ?? ''
      tree.setLeaf(path, result.cid, Number(result.size))
      yield { cid: result.cid, path, size: result.size, unixfs: entry.unixfs }
    }
  }
}

function importerOptions (settings: DagSettings, tree: DirectoryTree, writer: BlockWriter): ImporterOptions {
  const trickleLayout = settings.layout === 'trickle'
  return {
    chunker: createChunker(settings.chunker),
    layout: trickleLayout
      ? trickle({ maxChildrenPerNode: MAX_LINKS_PER_BLOCK, layerRepeat: TRICKLE_LAYER_REPEAT })
      : balanced({ maxChildrenPerNode: MAX_LINKS_PER_BLOCK }),
    cidVersion: settings.cidVersion,
    rawLeaves: settings.rawLeaves,
    // As boxo: balanced leaves are UnixFS "file" nodes and a one-leaf file is that leaf;
    // trickle leaves are UnixFS "raw" nodes under a root node, always.
    leafType: trickleLayout ? 'raw' : 'file',
    reduceSingleLeafToSelf: !trickleLayout,
    // The upload is one stream: files must be read one after the other.
    fileImportConcurrency: 1,
    blockWriteConcurrency: 1,
    treeBuilder: treeBuilder(tree, writer)
  }
}

/** Directories go to the tree only; files and symlinks are reserved in it and imported. */
async function * candidates (entries: AsyncIterable<UploadEntry>, tree: DirectoryTree, progress: ProgressFeed | undefined): AsyncGenerator<ImportCandidate> {
  for await (const entry of entries) {
    if (entry.kind === 'directory') {
      tree.addDirectory(entry.path)
      continue
    }
    tree.addLeaf(entry.path)
    if (entry.kind === 'symlink') yield { path: entry.path, link: entry.target }
    else yield { path: entry.path, content: countBytes(entry.content, entry.path, progress) }
  }
}

/** Imports one top-level entry (`rootPath`), or everything into the wrapper (`rootPath` undefined). */
async function * importGroup (entries: AsyncIterable<UploadEntry>, rootPath: string | undefined, ctx: UnixfsContext): AsyncGenerator<AddedNode> {
  const { writer, settings } = ctx
  const tree = new DirectoryTree()
  for await (const result of importer(candidates(entries, tree, ctx.progress), writer, importerOptions(settings, tree, writer))) {
    const path = result.path ?? ''
    const name = path === '' && settings.namelessAsCid ? result.cid.toString() : path
    yield { name, cid: result.cid, bytes: 0, size: Number(result.size) }
  }
  const root = rootPath === undefined ? tree.root : tree.find(rootPath)
  if (root?.kind !== 'dir') return
  yield * buildDirectories(rootPath ?? '', root, { writer, cidVersion: settings.cidVersion })
}

export async function * addUnixfs (source: EntrySource, ctx: UnixfsContext): AsyncGenerator<AddedNode> {
  let next = await source.next()
  if (next === undefined) throw new InvalidUploadError('the upload contains no files')
  if (ctx.settings.wrap) {
    source.pushBack(next)
    yield * importGroup(drainSource(source), undefined, ctx)
    return
  }
  while (next !== undefined) {
    const top = topName(next.path)
    const group: Group = { first: next, following: undefined }
    yield * importGroup(groupEntries(source, group, top), top, ctx)
    next = group.following
  }
}

async function * drainSource (source: EntrySource): AsyncGenerator<UploadEntry> {
  for (let entry = await source.next(); entry !== undefined; entry = await source.next()) yield entry
}

interface Group { first: UploadEntry, following: UploadEntry | undefined }

/** The entries of one top-level entry; the first entry of the next one is left in `group.following`. */
async function * groupEntries (source: EntrySource, group: Group, top: string): AsyncGenerator<UploadEntry> {
  yield group.first
  for (let entry = await source.next(); entry !== undefined; entry = await source.next()) {
    if (top === '' || topName(entry.path) !== top) {
      group.following = entry
      return
    }
    yield entry
  }
}
