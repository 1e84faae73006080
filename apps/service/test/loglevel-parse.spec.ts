// Go's setupLogLevel rules (config.md §7) as parsed for the daemon's logger, in-process.
import { describe, expect, it } from 'vitest'
import { CommandError } from '../src/cli/io.ts'
import { jsonIo, resolveLogFormat } from '../src/cli/log-format.ts'
import { daemonLogger, parseLogLevels } from '../src/cli/log-levels.ts'

describe('parseLogLevels', () => {
  it('a bare level sets every facility; facility:level items override it', () => {
    const levels = parseLogLevels(false, 'warn,pintracker:debug,raft:error')
    expect(levels.enabled('cluster', 'info')).toBe(false)
    expect(levels.enabled('cluster', 'warn')).toBe(true)
    expect(levels.enabled('pintracker', 'debug')).toBe(true)
    expect(levels.enabled('raft', 'warn')).toBe(false)
    expect(levels.enabled('raft', 'error')).toBe(true)
  })

  it('no bare level means info; the last item for a facility wins; empty items are skipped', () => {
    const levels = parseLogLevels(false, 'cluster:error,,cluster:debug')
    expect(levels.enabled('cluster', 'debug')).toBe(true)
    expect(levels.enabled('restapi', 'info')).toBe(true)
    expect(levels.enabled('restapi', 'debug')).toBe(false)
  })

  it('fatal and panic levels let no error through; levels are case-insensitive', () => {
    expect(parseLogLevels(false, 'FATAL').enabled('cluster', 'error')).toBe(false)
    expect(parseLogLevels(false, 'cluster:Panic').enabled('cluster', 'error')).toBe(false)
    expect(parseLogLevels(false, 'ERROR').enabled('cluster', 'error')).toBe(true)
  })

  it('access lines are printed only when their facility is named, or with --debug', () => {
    expect(parseLogLevels(false, 'info').enabled('ipfsproxylog', 'info')).toBe(false)
    expect(parseLogLevels(false, 'debug').enabled('restapilog', 'info')).toBe(false)
    expect(parseLogLevels(false, 'info,ipfsproxylog:info').enabled('ipfsproxylog', 'info')).toBe(true)
    expect(parseLogLevels(true, 'error').enabled('restapilog', 'debug')).toBe(true)
  })

  it('unknown levels are kept aside (the facility keeps its level); two colons is Go\'s error', () => {
    const levels = parseLogLevels(false, 'info,raft:verbose')
    expect(levels.ignored).toEqual(['raft:verbose'])
    expect(levels.enabled('raft', 'info')).toBe(true)
    expect(() => parseLogLevels(false, 'a:b:c')).toThrow('log level not in expected format "identifier:loglevel" or "loglevel"')
  })
})

describe('daemonLogger', () => {
  it('prints LEVEL facility: message, filtered, without doubling a facility prefix', () => {
    const lines: string[] = []
    const log = daemonLogger(parseLogLevels(false, 'info,pintracker:debug'), { out: () => {}, err: (s: string) => { lines.push(s) } })
    log('debug', 'hidden')
    log('info', 'raft leader: X', 'raft')
    log('debug', 'pintracker: pin Qm failed (attempt 1)', 'pintracker')
    expect(lines).toEqual(['INFO raft: raft leader: X\n', 'DEBUG pintracker: pin Qm failed (attempt 1)\n'])
  })
})

describe('JSON log output', () => {
  const at = new Date('2026-12-04T10:00:00.000Z')

  it('the logger writes one object per record: time, level, facility, msg (newlines kept inside)', () => {
    const lines: string[] = []
    const io = jsonIo({ out: () => {}, err: (s: string) => { lines.push(s) } }, () => at)
    const log = daemonLogger(parseLogLevels(false, 'info,pintracker:debug'), io)
    log('debug', 'hidden')
    log('info', 'listening on:\n  /ip4/127.0.0.1/tcp/1\n')
    log('debug', 'pintracker: pin Qm failed', 'pintracker')
    expect(lines.every(l => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true)
    expect(lines.map(l => JSON.parse(l))).toEqual([
      { time: '2026-12-04T10:00:00.000Z', level: 'info', facility: 'cluster', msg: 'listening on:\n  /ip4/127.0.0.1/tcp/1' },
      { time: '2026-12-04T10:00:00.000Z', level: 'debug', facility: 'pintracker', msg: 'pin Qm failed' }
    ])
  })

  it('plain stderr text becomes a record: level and known facility read from it, else info of service', () => {
    const lines: string[] = []
    const io = jsonIo({ out: () => {}, err: (s: string) => { lines.push(s) } }, () => at)
    io.err('** IPFS Cluster is READY **\n')
    io.err('WARN config: unknown key\n')
    io.err('WARN no Raft leader yet: waiting for peers\n')
    expect(lines.map(l => JSON.parse(l) as Record<string, string>).map(r => [r.level, r.facility, r.msg])).toEqual([
      ['info', 'service', '** IPFS Cluster is READY **'],
      ['warn', 'config', 'unknown key'],
      ['warn', 'service', 'no Raft leader yet: waiting for peers']
    ])
  })

  it('flag, then IPFS_CLUSTER_LOG_FORMAT, then GOLOG_LOG_FMT; text by default; auto follows the terminal', () => {
    expect(resolveLogFormat(undefined, {}, false)).toBe('text')
    expect(resolveLogFormat(undefined, {}, true)).toBe('text')
    expect(resolveLogFormat('json', { IPFS_CLUSTER_LOG_FORMAT: 'text' }, true)).toBe('json')
    expect(resolveLogFormat(undefined, { IPFS_CLUSTER_LOG_FORMAT: 'JSON', GOLOG_LOG_FMT: 'nocolor' }, false)).toBe('json')
    expect(resolveLogFormat(undefined, { GOLOG_LOG_FMT: 'json' }, true)).toBe('json')
    expect(resolveLogFormat(undefined, { GOLOG_LOG_FMT: 'nocolor' }, false)).toBe('text')
    expect(resolveLogFormat('auto', {}, false)).toBe('json')
    expect(resolveLogFormat('auto', {}, true)).toBe('text')
    expect(() => resolveLogFormat('yaml', {}, false)).toThrow(CommandError)
  })
})
