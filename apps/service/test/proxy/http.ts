import http from 'node:http'

export interface Answer { status: number, headers: http.IncomingHttpHeaders, body: string, trailers: NodeJS.Dict<string> }

/** A raw HTTP request (POST by default, as Kubo's RPC API wants), body and trailers collected. */
export async function request (url: string, init: { method?: string, headers?: Record<string, string>, body?: string | Buffer } = {}): Promise<Answer> {
  return await new Promise<Answer>((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'POST', headers: init.headers, signal: AbortSignal.timeout(60_000) }, res => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('error', reject)
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), trailers: res.trailers })
      })
    })
    req.on('error', reject)
    req.end(init.body)
  })
}
