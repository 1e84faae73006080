/**
 * The directory tree of one add (what Kubo keeps in MFS): every path of the upload, leaves
 * (files, symlinks) with their final CID and cumulative size once imported. Refuses what MFS
 * refuses: a second entry with the same name, a file used as a directory. A nameless leaf (path
 * `''`) takes its CID as its name once imported, as Kubo names stdin in MFS.
 */
import type { CID } from 'multiformats/cid'
import { InvalidUploadError } from './errors.ts'

export interface LeafNode {
  kind: 'leaf'
  /** Set once the importer has built it. */
  cid: CID | undefined
  size: number
}

export interface DirNode {
  kind: 'dir'
  children: Map<string, TreeNode>
}

export type TreeNode = LeafNode | DirNode

export class DirectoryTree {
  readonly root: DirNode = { kind: 'dir', children: new Map() }

  /** `mkdir -p`; returns the directory. */
  addDirectory (path: string): DirNode {
    let dir = this.root
    let walked = ''
    for (const name of path.split('/')) {
      walked = walked === '' ? name : `${walked}/${name}`
      const child = dir.children.get(name)
      if (child === undefined) {
        const created: DirNode = { kind: 'dir', children: new Map() }
        dir.children.set(name, created)
        dir = created
      } else if (child.kind === 'dir') {
        dir = child
      } else {
        throw new InvalidUploadError(`cannot add ${path}: ${walked} is not a directory`)
      }
    }
    return dir
  }

  /** Reserves the place of a file or symlink (parents created as needed); a nameless one is placed by setLeaf. */
  addLeaf (path: string): void {
    if (path === '') return
    const slash = path.lastIndexOf('/')
    const parent = slash < 0 ? this.root : this.addDirectory(path.slice(0, slash))
    const name = path.slice(slash + 1)
    if (parent.children.has(name)) throw new InvalidUploadError(`cannot add ${path}: directory already has entry by that name`)
    parent.children.set(name, { kind: 'leaf', cid: undefined, size: 0 })
  }

  /** Records the imported CID and size of a leaf added with addLeaf. */
  setLeaf (path: string, cid: CID, size: number): void {
    if (path === '') {
      const name = cid.toString()
      if (this.root.children.has(name)) throw new InvalidUploadError(`cannot add ${name}: directory already has entry by that name`)
      this.root.children.set(name, { kind: 'leaf', cid, size })
      return
    }
    const node = this.find(path)
    if (node?.kind !== 'leaf') throw new InvalidUploadError(`internal error: ${path} was not reserved`)
    node.cid = cid
    node.size = size
  }

  find (path: string): TreeNode | undefined {
    let node: TreeNode = this.root
    for (const name of path.split('/')) {
      if (node.kind !== 'dir') return undefined
      const child: TreeNode | undefined = node.children.get(name)
      if (child === undefined) return undefined
      node = child
    }
    return node
  }
}
