// Go's setupLogLevel rules (config.md §7) as parsed for the daemon's logger, in-process.
import { describe, expect, it } from 'vitest'
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
