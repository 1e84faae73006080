import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { clfDate, commonLogLine, countResponseBytes } from '../src/index.ts'

describe('access log lines', () => {
  it('formats the date as Common Log Format does', () => {
    expect(clfDate(new Date(2000, 9, 10, 13, 55, 36))).toMatch(/^10\/Oct\/2000:13:55:36 [+-]\d{4}$/)
  })

  it('escapes quotes and control characters in the URI', () => {
    const req = { socket: { remoteAddress: '::ffff:10.0.0.1' }, url: '/a"b\n', method: 'POST', httpVersion: '1.1' } as unknown as http.IncomingMessage
    expect(commonLogLine(req, 404, 0, new Date())).toMatch(/^10\.0\.0\.1 - - \[[^\]]+\] "POST \/a\\x22b\\x0a HTTP\/1\.1" 404 0$/)
  })

  it('counts the body bytes written (strings by UTF-8 length) and writes the line', async () => {
    let line = ''
    const server = http.createServer((req, res) => {
      const bytes = countResponseBytes(res)
      res.on('close', () => { line = commonLogLine(req, res.statusCode, bytes(), new Date(), 'alice') })
      res.write('héllo ')
      res.end(Buffer.from('world'))
    })
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as AddressInfo).port
    const body = await (await fetch(`http://127.0.0.1:${port}/pins?x=1`)).text()
    server.close()
    expect(body).toBe('héllo world')
    await new Promise(resolve => setTimeout(resolve, 50))
    expect(line).toMatch(/^127\.0\.0\.1 - alice \[[^\]]+\] "GET \/pins\?x=1 HTTP\/1\.1" 200 12$/)
  })
})
