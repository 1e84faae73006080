/** The relay's HTTP/1.1 framing: response heads, and where chunked / sized / close-delimited bodies end. */
import { describe, expect, it } from 'vitest'
import { FramingError, bodyDecoderFor, headEnd, parseResponseHead, type ResponseHead } from '../src/http-framing.ts'

function head (fields: Array<[string, string]>, status = 200): ResponseHead {
  return { status, statusText: 'OK', http10: false, fields }
}

/** Feeds `wire` in pieces cut at `cuts`; returns the body, the end index in the whole wire, the trailers. */
function decode (decoderHead: ResponseHead, wire: Buffer, cuts: number[], method = 'POST'): { body: string, end: number, trailers: Array<[string, string]> } {
  const decoder = bodyDecoderFor(decoderHead, method)
  const parts: Buffer[] = []
  let offset = 0
  let end = -1
  for (const cut of [...cuts, wire.length]) {
    const at = decoder.push(wire.subarray(offset, cut), data => parts.push(Buffer.from(data)))
    if (at >= 0) { end = offset + at; break }
    offset = cut
  }
  return { body: Buffer.concat(parts).toString('latin1'), end, trailers: decoder.trailers }
}

describe('response heads', () => {
  it('parses status, reason and fields in order; refuses what is not HTTP/1.x', () => {
    expect(parseResponseHead('HTTP/1.1 404 Not Found\r\nA: 1\r\nSet-Cookie: x\r\nSet-Cookie:  y ')).toEqual({
      status: 404, statusText: 'Not Found', http10: false, fields: [['A', '1'], ['Set-Cookie', 'x'], ['Set-Cookie', 'y']]
    })
    expect(parseResponseHead('HTTP/1.0 200')?.http10).toBe(true)
    expect(parseResponseHead('HTTP/2 200')).toBeUndefined()
    expect(parseResponseHead('HTTP/1.1 200 OK\r\nno colon here')).toBeUndefined()
    expect(headEnd(Buffer.from('HTTP/1.1 200 OK\r\n\r\nbody'))).toBe(19)
    expect(headEnd(Buffer.from('HTTP/1.1 200 OK\r\n'))).toBe(-1)
  })
})

describe('bodies', () => {
  const chunkedWire = Buffer.from('5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Stream-Error: late\r\n\r\nNEXT')

  it('decodes a chunked body cut at every possible place, with its trailers', () => {
    const chunked = head([['Transfer-Encoding', 'chunked']])
    for (let a = 0; a <= chunkedWire.length - 4; a++) {
      for (const b of [a, Math.min(a + 1, chunkedWire.length - 4), chunkedWire.length - 4]) {
        const got = decode(chunked, chunkedWire, a === b ? [a] : [a, b])
        expect(got, `cut at ${a},${b}`).toEqual({ body: 'hello, world', end: chunkedWire.length - 4, trailers: [['X-Stream-Error', 'late']] })
      }
    }
  })

  it('refuses broken chunk framing with a FramingError', () => {
    const chunked = head([['Transfer-Encoding', 'chunked']])
    for (const bad of ['zz\r\n', '5\r\nhelloXX\r\n', '0\r\nno-colon\r\n\r\n', `${'1'.repeat(5000)}`]) {
      expect(() => decode(chunked, Buffer.from(bad), []), bad.slice(0, 20)).toThrow(FramingError)
    }
  })

  it('counts a Content-Length body and stops where it ends', () => {
    const sized = head([['Content-Length', '5']])
    expect(decode(sized, Buffer.from('helloNEXT'), [2])).toEqual({ body: 'hello', end: 5, trailers: [] })
    expect(decode(head([['Content-Length', '0']]), Buffer.from(''), [])).toMatchObject({ body: '', end: 0 })
    expect(() => bodyDecoderFor(head([['Content-Length', '5'], ['Content-Length', '6']]), 'POST')).toThrow(FramingError)
    expect(() => bodyDecoderFor(head([['Content-Length', '-1']]), 'POST')).toThrow(FramingError)
    expect(decode(head([['Content-Length', '3, 3']]), Buffer.from('abc'), [])).toMatchObject({ body: 'abc', end: 3 })
  })

  it('has no body for HEAD, 204 and 304, whatever the head says; reads the rest until close otherwise', () => {
    const sized = head([['Content-Length', '5']])
    expect(bodyDecoderFor(sized, 'HEAD').push(Buffer.alloc(0), () => {})).toBe(0)
    expect(bodyDecoderFor(head([['Content-Length', '5']], 204), 'GET').push(Buffer.alloc(0), () => {})).toBe(0)
    expect(bodyDecoderFor(head([['Transfer-Encoding', 'chunked']], 304), 'GET').push(Buffer.alloc(0), () => {})).toBe(0)
    const close = bodyDecoderFor(head([]), 'GET')
    expect(close.untilClose).toBe(true)
    expect(decode(head([]), Buffer.from('all of it'), [3])).toMatchObject({ body: 'all of it', end: -1 })
  })
})
