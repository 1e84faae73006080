import { createInterface } from 'node:readline'

/**
 * A `[y/n]` prompt as Go's (config.md §7.8): y/Y yes; n/N/empty no; anything else asks again, at
 * most three times; no stdin (closed) answers no.
 */
export async function confirm (question: string, write: (t: string) => void): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, terminal: false })
  const lines = rl[Symbol.asyncIterator]()
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      write(question)
      const next = await lines.next()
      if (next.done === true) return false
      const answer = String(next.value).trim()
      if (answer === 'y' || answer === 'Y') return true
      if (answer === 'n' || answer === 'N' || answer === '') return false
      write("Please press either 'y' or 'n'\n")
    }
    return false
  } finally {
    rl.close()
  }
}
