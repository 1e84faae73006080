/**
 * Media types as Go's mime.ParseMediaType reads them, and the multipart check of Go's
 * http.Request.MultipartReader (`multipart/form-data` or `multipart/mixed` with a boundary).
 */
import { AddRequestError } from './errors.ts'

export const NOT_MULTIPART = "request Content-Type isn't multipart/form-data"
export const MISSING_BOUNDARY = 'no multipart boundary param in Content-Type'

export interface MediaType {
  type: string
  params: Map<string, string>
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/** A small mime.ParseMediaType: `type/subtype; k=v; k="quoted"`; undefined when malformed. */
export function parseMediaType (text: string): MediaType | undefined {
  const [head = '', ...rest] = splitParams(text)
  const type = head.trim().toLowerCase()
  const slash = type.indexOf('/')
  if (slash <= 0 || !TOKEN.test(type.slice(0, slash)) || !TOKEN.test(type.slice(slash + 1))) return undefined
  const params = new Map<string, string>()
  for (const raw of rest) {
    const item = raw.trim()
    if (item === '') continue
    const eq = item.indexOf('=')
    if (eq <= 0) return undefined
    const key = item.slice(0, eq).trim().toLowerCase()
    let value = item.slice(eq + 1).trim()
    if (value.startsWith('"')) {
      if (value.length < 2 || !value.endsWith('"')) return undefined
      value = value.slice(1, -1).replace(/\\(.)/g, '$1')
    } else if (!TOKEN.test(value)) {
      return undefined
    }
    if (!TOKEN.test(key) || params.has(key)) return undefined
    params.set(key, value)
  }
  return { type, params }
}

/** Splits on `;` outside double quotes. */
function splitParams (text: string): string[] {
  const out: string[] = []
  let current = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quoted && c === '\\' && i + 1 < text.length) {
      current += c + text[++i]!
      continue
    }
    if (c === '"') quoted = !quoted
    if (c === ';' && !quoted) {
      out.push(current)
      current = ''
    } else {
      current += c
    }
  }
  out.push(current)
  return out
}

/**
 * The multipart boundary of an upload's Content-Type; AddRequestError (HTTP 400) with Go's
 * text otherwise.
 */
export function multipartBoundary (contentType: string): string {
  const media = contentType.trim() === '' ? undefined : parseMediaType(contentType)
  if (media === undefined || (media.type !== 'multipart/form-data' && media.type !== 'multipart/mixed')) {
    throw new AddRequestError(NOT_MULTIPART)
  }
  const boundary = media.params.get('boundary')
  if (boundary === undefined || boundary === '') throw new AddRequestError(MISSING_BOUNDARY)
  return boundary
}
