/**
 * The headers of one multipart part, read as Go's mime/multipart and boxo's files package read
 * them: any Content-Disposition type (`form-data`, or `file` as boxo's non-form writer sends
 * it), the `filename` parameter (RFC 2231 `filename*` too) being the only thing that matters;
 * no filename at all is a nameless part, not a form field.
 */
import { InvalidUploadError } from './errors.ts'

export interface PartHeaders {
  /** The `filename` parameter as sent (still query-escaped); `''` when absent or empty. */
  filename: string
  /** The part's media type, lower-cased, without parameters (`application/octet-stream` when absent). */
  mimeType: string
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
/** Characters a backslash escapes inside a quoted parameter (Go keeps other backslashes). */
const TSPECIALS = '()<>@,;:\\"/[]?='

function malformed (what: string, value: string): InvalidUploadError {
  return new InvalidUploadError(`malformed multipart upload: bad ${what} ${JSON.stringify(value)}`)
}

/** `Name: value` lines (continuation lines folded in) into lower-cased names → first value. */
export function parseHeaderBlock (text: string): Map<string, string> {
  const headers = new Map<string, string>()
  let last: string | undefined
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== undefined) {
      headers.set(last, `${headers.get(last) ?? ''} ${line.trim()}`)
      continue
    }
    const colon = line.indexOf(':')
    if (colon <= 0) throw malformed('part header', line)
    const name = line.slice(0, colon).trim().toLowerCase()
    last = name
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim())
    else last = undefined
  }
  return headers
}

interface MediaType { type: string, params: Map<string, string> }

/** RFC 2231 extended value `charset'lang'%XX…` (UTF-8 or ASCII charsets only, as Go). */
function extendedValue (value: string): string | undefined {
  const parts = value.split("'")
  if (parts.length !== 3) return undefined
  const charset = parts[0]!.toLowerCase()
  if (charset !== 'utf-8' && charset !== 'us-ascii' && charset !== '') return undefined
  try {
    return decodeURIComponent(parts[2]!)
  } catch {
    return undefined
  }
}

/** Reads `; key=value` parameters from `text` (after the type); undefined when malformed. */
function parseParams (text: string): Map<string, string> | undefined {
  const params = new Map<string, string>()
  let i = 0
  const skipSpace = (): void => { while (text[i] === ' ' || text[i] === '\t') i++ }
  for (;;) {
    skipSpace()
    if (i >= text.length) return params
    if (text[i] !== ';') return undefined
    i++
    skipSpace()
    if (i >= text.length) return params // a trailing `;` is tolerated, as Go does
    const eq = text.indexOf('=', i)
    if (eq < 0) return undefined
    const key = text.slice(i, eq).trim().toLowerCase()
    if (!TOKEN.test(key)) return undefined
    i = eq + 1
    skipSpace()
    let value = ''
    if (text[i] === '"') {
      i++
      for (; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && i + 1 < text.length && TSPECIALS.includes(text[i + 1]!)) i++
        value += text[i]!
      }
      if (text[i] !== '"') return undefined
      i++
    } else {
      const start = i
      while (i < text.length && text[i] !== ';' && text[i] !== ' ' && text[i] !== '\t') i++
      value = text.slice(start, i)
      if (!TOKEN.test(value) && !key.endsWith('*')) return undefined
    }
    if (key.endsWith('*')) {
      const decoded = extendedValue(value)
      if (decoded === undefined) return undefined
      params.set(key.slice(0, -1), decoded)
    } else if (params.has(key)) {
      return undefined
    } else {
      params.set(key, value)
    }
  }
}

/** Go's mime.ParseMediaType: `type[/subtype]` then parameters; undefined when malformed. */
export function parseMediaType (text: string): MediaType | undefined {
  const semi = text.indexOf(';')
  const type = (semi < 0 ? text : text.slice(0, semi)).trim().toLowerCase()
  const [main = '', sub, ...extra] = type.split('/')
  if (!TOKEN.test(main) || extra.length > 0 || (sub !== undefined && !TOKEN.test(sub))) return undefined
  const params = parseParams(semi < 0 ? '' : text.slice(semi))
  return params === undefined ? undefined : { type, params }
}

/** The filename and media type of a part from its header block. */
export function partHeaders (block: string): PartHeaders {
  const headers = parseHeaderBlock(block)
  let filename = ''
  const disposition = headers.get('content-disposition')
  if (disposition !== undefined) {
    const parsed = parseMediaType(disposition)
    if (parsed === undefined) throw malformed('Content-Disposition', disposition)
    filename = parsed.params.get('filename') ?? ''
  }
  let mimeType = 'application/octet-stream'
  const contentType = headers.get('content-type')
  if (contentType !== undefined && contentType !== '') {
    const parsed = parseMediaType(contentType)
    if (parsed === undefined) throw malformed('Content-Type', contentType)
    mimeType = parsed.type
  }
  return { filename, mimeType }
}
