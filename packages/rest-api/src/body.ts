/** Reading the (rare) request bodies the API uses, with a size limit. */
import { HttpError } from './errors.ts'

/** The body as UTF-8 text; more than `limit` bytes → 413. */
export async function readBodyText (req: Request, limit: number): Promise<string> {
  return Buffer.concat(await readBodyChunks(req, limit)).toString('utf8')
}

/** The body as the byte chunks it came in; more than `limit` bytes → 413. */
export async function readBodyChunks (req: Request, limit: number): Promise<Uint8Array[]> {
  // An announced length over the limit is refused before a byte is read.
  const announced = Number(req.headers.get('content-length') ?? '')
  if (Number.isFinite(announced) && announced > limit) throw new HttpError(413, 'request body too large')
  if (req.body === null) return []
  const reader = req.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        await reader.cancel().catch(() => undefined)
        throw new HttpError(413, 'request body too large')
      }
      chunks.push(value)
    }
  } catch (err) {
    if (err instanceof HttpError) throw err
    throw new HttpError(400, 'error decoding request body', { cause: err })
  }
  return chunks
}

/**
 * The text of the first JSON value in `text` (Go's json.Decoder reads one value and ignores
 * what follows). Returns the input unchanged when it cannot find a complete object or array.
 */
export function firstJsonValue (text: string): string {
  const start = text.search(/\S/)
  if (start < 0) return text
  const open = text[start]
  if (open !== '{' && open !== '[') return text
  let depth = 0
  let inString = false
  for (let i = start; i < text.length; i++) {
    const ch = text[i]
    if (inString) {
      if (ch === '\\') i++
      else if (ch === '"') inString = false
      continue
    }
    if (ch === '"') inString = true
    else if (ch === '{' || ch === '[') depth++
    else if (ch === '}' || ch === ']') {
      depth--
      if (depth === 0) return text.slice(start, i + 1)
    }
  }
  return text
}
