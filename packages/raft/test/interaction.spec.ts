/**
 * Runs the etcd-style interaction scripts of test/testdata: every command's output (Readies,
 * messages, the core's trace-logger lines) must match the expected output in the file.
 * `RAFT_REWRITE=1 pnpm exec vitest run --project @cluster/raft test/interaction.spec.ts`
 * regenerates the expected outputs from the real core (review the diff before committing).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runScript } from './interaction/datadriven.ts'

const dir = join(import.meta.dirname, 'testdata')
const files = readdirSync(dir).filter((f) => f.endsWith('.txt')).sort()
const rewrite = process.env.RAFT_REWRITE === '1'

describe('interaction scripts (test/testdata)', () => {
  it('has scripts', () => {
    expect(files.length).toBeGreaterThanOrEqual(4)
  })

  for (const file of files) {
    it(file, () => {
      const path = join(dir, file)
      const { blocks, rewritten } = runScript(readFileSync(path, 'utf8'))
      if (rewrite) {
        writeFileSync(path, rewritten)
        return
      }
      for (const b of blocks) expect(b.actual, `${file}:${b.line} ${b.command}`).toBe(b.expected)
    })
  }

  it('a wrong expectation is a mismatch, and the rewrite restores the real output', () => {
    const script = 'add-nodes 1\n----\nok\n\ncampaign 1\n----\nsomething else\n'
    const { blocks, rewritten } = runScript(script)
    const campaign = blocks[1]
    expect(campaign?.actual).not.toBe(campaign?.expected)
    expect(campaign?.actual).toContain('DEBUG 1 became leader at term 2')
    const again = runScript(rewritten)
    for (const b of again.blocks) expect(b.actual).toBe(b.expected)
  })
})
