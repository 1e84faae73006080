/**
 * A configuration kept elsewhere (config.md §3.4): `service.json` holding only `{"source": url}`
 * is read by fetching that URL at every start, so whoever publishes it (the trusted peers of a
 * collaborative cluster) decides the secret, the trusted peers, the bootstrap addresses…
 */
import { ConfigSourceError, ConfigSourceUnavailableError, messageOf } from './errors.ts'

/** How long fetching a source may take, headers and body (Go's client has no limit). */
export const SOURCE_TIMEOUT_MS = 60_000
/** Largest configuration accepted from a source: a `service.json` is a few KiB. */
export const SOURCE_MAX_BYTES = 4 * 1024 * 1024

/**
 * Fetches a configuration's text from its source URL (redirects followed). Failures are
 * ConfigSourceError: `could not fetch configuration from source: …` when there is no answer,
 * `unsuccessful request (<status>): <body>` for a status of 300 or more (Go's words); no answer,
 * 429 and 5xx are ConfigSourceUnavailableError.
 */
export async function fetchSourceConfig (url: string, opts: { timeoutMs?: number } = {}): Promise<string> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch (err) {
    throw new ConfigSourceError(url, `could not fetch configuration from source: invalid URL ${JSON.stringify(url)}`, { cause: err })
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigSourceError(url, `could not fetch configuration from source: ${JSON.stringify(url)} is not an http(s) URL`)
  }
  const signal = AbortSignal.timeout(opts.timeoutMs ?? SOURCE_TIMEOUT_MS)
  let response: Response
  try {
    response = await fetch(parsed, { signal, redirect: 'follow' })
  } catch (err) {
    throw new ConfigSourceUnavailableError(url, `could not fetch configuration from source: ${messageOf(causeOf(err))}`, { cause: err })
  }
  let body: string | undefined
  try {
    body = await readLimited(response)
  } catch (err) {
    throw new ConfigSourceUnavailableError(url, `could not fetch configuration from source: ${messageOf(causeOf(err))}`, { cause: err })
  }
  // An answer, but not a configuration: no reason to use an earlier copy instead.
  if (body === undefined) throw new ConfigSourceError(url, `could not fetch configuration from source: the configuration is larger than ${SOURCE_MAX_BYTES} bytes`)
  if (response.status >= 300) {
    const unavailable = response.status === 429 || response.status >= 500
    throw new (unavailable ? ConfigSourceUnavailableError : ConfigSourceError)(url, `unsuccessful request (${response.status}): ${body}`)
  }
  return body
}

/** fetch's own message is "fetch failed"; the reason (ECONNREFUSED, a DNS failure…) is its cause. */
function causeOf (err: unknown): unknown {
  return err instanceof TypeError && err.cause !== undefined ? err.cause : err
}

/** The body as text; undefined when it is over SOURCE_MAX_BYTES (the rest is not read). */
async function readLimited (response: Response): Promise<string | undefined> {
  if (response.body === null) return ''
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of response.body) {
    size += chunk.byteLength
    if (size > SOURCE_MAX_BYTES) return undefined
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}
