/** Writing answers the way Kubo (go-ipfs-cmds) does: JSON values, error objects, trailers. */
import type { ServerResponse } from 'node:http'

/** Kubo's error body; `Code` is 0 for both 400 and 500 answers (proxy.md §2.2). */
export function kuboErrorBody (message: string): string {
  return JSON.stringify({ Message: message, Code: 0, Type: 'error' })
}

/** Answer with a Kubo error object, or — when the body has started — end it with the error in the trailer. */
export function sendError (res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    endStream(res, message)
    return
  }
  const body = kuboErrorBody(message)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json')
  res.setHeader('Content-Length', Buffer.byteLength(body))
  res.removeHeader('Trailer')
  res.removeHeader('X-Chunked-Output')
  res.end(body)
}

/** One JSON value as the whole 200 answer. */
export function sendJson (res: ServerResponse, text: string, status = 200): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

/** Starts a streamed (chunked) 200 answer that may end with an `X-Stream-Error` trailer. */
export function startStream (res: ServerResponse, chunked = true): void {
  res.statusCode = 200
  res.setHeader('Content-Type', 'application/json')
  res.setHeader('Trailer', 'X-Stream-Error')
  if (chunked) res.setHeader('X-Chunked-Output', '1')
  res.removeHeader('Content-Length')
  res.flushHeaders()
}

/** Writes text and waits for the socket when it is backed up. */
export async function writeText (res: ServerResponse, text: string): Promise<void> {
  if (res.destroyed) throw new Error('client went away')
  if (!res.write(text)) {
    await new Promise<void>((resolve, reject) => {
      const done = (): void => { res.off('drain', done); res.off('close', gone); resolve() }
      const gone = (): void => { res.off('drain', done); res.off('close', gone); reject(new Error('client went away')) }
      res.on('drain', done)
      res.on('close', gone)
    })
  }
}

/** Writes one line and waits for the socket when it is backed up. */
export async function writeLine (res: ServerResponse, text: string): Promise<void> {
  await writeText(res, text + '\n')
}

/** Ends a streamed answer; a non-empty `error` goes into the `X-Stream-Error` trailer. */
export function endStream (res: ServerResponse, error = ''): void {
  if (res.writableEnded || res.destroyed) return
  if (error !== '') res.addTrailers({ 'X-Stream-Error': error.replace(/[\r\n]+/g, ' ') })
  res.end()
}
