import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { clearStaleSocket } from '@cluster/api'

const dir = mkdtempSync(join(tmpdir(), 'listen-socket-'))
afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

async function get (path: string): Promise<string> {
  return await new Promise((resolve, reject) => {
    request({ socketPath: path, path: '/' }, res => {
      let body = ''
      res.on('data', (c: Buffer) => { body += c.toString() })
      res.on('end', () => { resolve(body) })
    }).on('error', reject).end()
  })
}

describe('clearStaleSocket', () => {
  it('removes the socket a killed process left, so a new server can listen there', async () => {
    const path = join(dir, 'killed.sock')
    const child = spawn(process.execPath, ['-e', `require('node:http').createServer((q, r) => r.end('old')).listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] })
    await new Promise<void>(resolve => child.stdout.once('data', () => { resolve() }))
    child.kill('SIGKILL')
    await new Promise(resolve => child.once('exit', resolve))
    expect(existsSync(path)).toBe(true)
    const server = createServer((_q, r) => r.end('new'))
    await expect(new Promise((resolve, reject) => { server.once('error', reject); server.listen(path, () => { resolve(undefined) }) })).rejects.toMatchObject({ code: 'EADDRINUSE' })
    await clearStaleSocket(path)
    await new Promise<void>(resolve => { server.listen(path, resolve) })
    expect(await get(path)).toBe('new')
    await new Promise(resolve => { server.close(resolve) })
  })

  it('leaves a socket that still answers, and a file that is not a socket, alone', async () => {
    const live = join(dir, 'live.sock')
    const server = createServer((_q, r) => r.end('alive'))
    await new Promise<void>(resolve => { server.listen(live, resolve) })
    await clearStaleSocket(live)
    expect(await get(live)).toBe('alive')
    await new Promise(resolve => { server.close(resolve) })

    const file = join(dir, 'not-a-socket')
    writeFileSync(file, 'keep me')
    await clearStaleSocket(file)
    expect(readFileSync(file, 'utf8')).toBe('keep me')
    await clearStaleSocket(join(dir, 'nothing-there'))
  })
})
