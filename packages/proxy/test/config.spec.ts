import { describe, expect, it } from 'vitest'
import {
  applyProxyEnv, defaultProxyConfig, parseProxyConfig, proxyConfigToJson, validateProxyConfig, ProxyConfigError, type ProxyConfig
} from '../src/index.ts'

const SAMPLE = {
  listen_multiaddress: '/ip4/127.0.0.1/tcp/9095',
  node_multiaddress: '/ip4/127.0.0.1/tcp/5001',
  log_file: '',
  read_timeout: '10m0s',
  read_header_timeout: '5s',
  write_timeout: '10m0s',
  idle_timeout: '1m0s',
  max_header_bytes: 16384,
  extract_headers_extra: [],
  extract_headers_path: '/api/v0/version',
  extract_headers_ttl: '5m'
}

describe('ipfsproxy configuration', () => {
  it('loads an empty object with every default', () => {
    const cfg = parseProxyConfig({})
    expect(cfg.listenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9095'])
    expect(cfg.nodeMultiaddress).toBe('/ip4/127.0.0.1/tcp/5001')
    expect(cfg.readHeaderTimeoutMs).toBe(5_000)
    expect(cfg.idleTimeoutMs).toBe(60_000)
    expect(cfg.maxHeaderBytes).toBe(4096)
    expect(cfg.extractHeadersPath).toBe('/api/v0/version')
    expect(cfg.extractHeadersTtlMs).toBe(300_000)
  })

  it('loads a full sample, and rejects each bad value', () => {
    const cfg = parseProxyConfig(SAMPLE)
    expect(cfg.readTimeoutMs).toBe(600_000)
    expect(cfg.maxHeaderBytes).toBe(16384)
    for (const bad of [
      { listen_multiaddress: 'abc' }, { node_multiaddress: 'abc' }, { read_timeout: '-aber' },
      { extract_headers_ttl: '-10' }, { extract_headers_ttl: '-10s' }, { max_header_bytes: 100 }, { node_multiaddress: '/unix/tmp/ipfs.sock' }
    ]) {
      expect(() => parseProxyConfig({ ...SAMPLE, ...bad }), JSON.stringify(bad)).toThrow(ProxyConfigError)
    }
  })

  it('max_header_bytes 0 means 4096; empty addresses mean the defaults', () => {
    const cfg = parseProxyConfig({ max_header_bytes: 0, listen_multiaddress: '', node_multiaddress: '' })
    expect(cfg.maxHeaderBytes).toBe(4096)
    expect(cfg.listenMultiaddress).toEqual(['/ip4/127.0.0.1/tcp/9095'])
    expect(cfg.nodeMultiaddress).toBe('/ip4/127.0.0.1/tcp/5001')
  })

  it('serialises and loads back the same values', () => {
    const cfg = parseProxyConfig({ ...SAMPLE, extract_headers_extra: ['X-Custom'], listen_multiaddress: ['/ip4/127.0.0.1/tcp/1', '/ip6/::1/tcp/2'] })
    const json = proxyConfigToJson(cfg)
    expect(parseProxyConfig(JSON.parse(JSON.stringify(json)))).toEqual(cfg)
    const defaults = proxyConfigToJson(defaultProxyConfig())
    expect(defaults).not.toHaveProperty('extract_headers_path')
    expect(defaults).not.toHaveProperty('extract_headers_ttl')
    expect(defaults).not.toHaveProperty('node_https')
  })

  it('validates defaults and rejects unset addresses, negative timeouts, an empty header path', () => {
    expect(() => { validateProxyConfig(defaultProxyConfig()) }).not.toThrow()
    const broken: Array<Partial<ProxyConfig>> = [
      { nodeMultiaddress: '' }, { listenMultiaddress: [] }, { readTimeoutMs: -1 }, { readHeaderTimeoutMs: -1 },
      { idleTimeoutMs: -1 }, { writeTimeoutMs: -1 }, { extractHeadersPath: '' }
    ]
    for (const b of broken) expect(() => { validateProxyConfig({ ...defaultProxyConfig(), ...b }) }, JSON.stringify(b)).toThrow(ProxyConfigError)
  })

  it('reports problems in Go\'s words and keeps multiaddresses in canonical form', () => {
    const message = (json: object): string => {
      try {
        parseProxyConfig({ ...SAMPLE, ...json })
      } catch (err) {
        return (err as Error).message
      }
      return 'no error'
    }
    expect(message({ node_multiaddress: '/ip4/x' })).toMatch(/^error parsing ipfs node_multiaddress: /)
    expect(message({ listen_multiaddress: ['/ip4/127.0.0.1/tcp/1', 'nope'] })).toMatch(/^error parsing proxy listen_multiaddress: /)
    expect(message({ max_header_bytes: 100 })).toBe('ipfsproxy.max_header_size must be greater or equal to 4096')
    expect(message({ idle_timeout: '-1s' })).toBe('ipfsproxy.idle_timeout invalid')
    expect(message({ read_timeout: '-1s' })).toBe('ipfsproxy.read_timeout is invalid')
    // A /p2p/ component in its CIDv1 form is written as the base58 peer ID, as Go writes it.
    const cid = 'bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe'
    const cfg = parseProxyConfig({ ...SAMPLE, node_multiaddress: `/ip4/127.0.0.1/tcp/5001/p2p/${cid}` })
    expect(cfg.nodeMultiaddress).toBe('/ip4/127.0.0.1/tcp/5001/p2p/QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N')
  })

  it('applies CLUSTER_IPFSPROXY_* variables', () => {
    const cfg = applyProxyEnv(defaultProxyConfig(), { CLUSTER_IPFSPROXY_IDLETIMEOUT: '22s', CLUSTER_IPFSPROXY_EXTRACTHEADERSEXTRA: 'A,B' })
    expect(cfg.idleTimeoutMs).toBe(22_000)
    expect(cfg.extractHeadersExtra).toEqual(['A', 'B'])
    expect(() => applyProxyEnv(defaultProxyConfig(), { CLUSTER_IPFSPROXY_READTIMEOUT: 'soon' })).toThrow(ProxyConfigError)
  })
})
