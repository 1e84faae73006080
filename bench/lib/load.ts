// The load generator: keep-alive HTTP to the REST API of either implementation (the same API).
import { Agent, request } from 'node:http'

export interface HttpResult { status: number, body: string }

/** One request; the whole body as text. */
export function call (agent: Agent, url: string, method = 'GET', timeoutMs = 120_000): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }) })
      res.on('error', reject)
    })
    req.on('timeout', () => { req.destroy(new Error(`${method} ${url}: timed out after ${timeoutMs} ms`)) })
    req.on('error', reject)
    req.end()
  })
}

/** GET an NDJSON stream, calling `onLine` per parsed item; resolves with the item count. */
export function streamNdjson (agent: Agent, url: string, onLine?: (item: any) => void, timeoutMs = 600_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent, timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        let body = ''
        res.on('data', (c: Buffer) => { body += c.toString() })
        res.on('end', () => { reject(new Error(`GET ${url}: ${res.statusCode} ${body.slice(0, 300)}`)) })
        return
      }
      let rest = ''
      let count = 0
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        const text = rest + chunk
        let start = 0
        let nl: number
        while ((nl = text.indexOf('\n', start)) !== -1) {
          const line = text.slice(start, nl)
          start = nl + 1
          if (line.trim() === '') continue
          count++
          if (onLine !== undefined) onLine(JSON.parse(line))
        }
        rest = text.slice(start)
      })
      res.on('end', () => {
        if (rest.trim() !== '') { count++; if (onLine !== undefined) onLine(JSON.parse(rest)) }
        resolve(count)
      })
      res.on('error', reject)
    })
    req.on('timeout', () => { req.destroy(new Error(`GET ${url}: timed out after ${timeoutMs} ms`)) })
    req.on('error', reject)
    req.end()
  })
}

export function percentile (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number
}

export interface PinLoadResult { done: number, seconds: number, rate: number, latencies: number[], errors: number, firstError?: string }

/**
 * `POST /pins/<cid>` for every CID, from `concurrency` keep-alive clients; client i talks to
 * `urls[i % urls.length]`. Stops issuing at `deadlineMs` (the rate counts what completed).
 */
export async function pinLoad (urls: string[], cids: string[], concurrency: number, deadlineMs = Infinity): Promise<PinLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const latencies: number[] = []
  let next = 0
  let errors = 0
  let firstError: string | undefined
  const start = performance.now()
  const stopAt = start + deadlineMs
  await Promise.all(Array.from({ length: concurrency }, async (_, client) => {
    const base = urls[client % urls.length] as string
    while (next < cids.length && performance.now() < stopAt) {
      const cid = cids[next++] as string
      const t0 = performance.now()
      try {
        const r = await call(agent, `${base}/pins/${cid}`, 'POST')
        if (r.status !== 200) { errors++; firstError ??= `${r.status} ${r.body.slice(0, 200)}` } else latencies.push(performance.now() - t0)
      } catch (err) {
        errors++
        firstError ??= (err as Error).message
      }
    }
  }))
  const seconds = (performance.now() - start) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  return { done: latencies.length, seconds, rate: latencies.length / seconds, latencies, errors, ...(firstError === undefined ? {} : { firstError }) }
}

export const sleep = (ms: number): Promise<void> => new Promise(resolve => setTimeout(resolve, ms))
