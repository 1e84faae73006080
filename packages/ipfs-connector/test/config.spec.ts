import { describe, expect, it } from 'vitest'
import {
  InvalidConfigError, applyIpfsHttpEnv, defaultIpfsHttpConfig, ipfsHttpConfigToJson, parseIpfsHttpConfig, targetOf
} from '../src/index.ts'

describe('ipfs_connector.ipfshttp configuration', () => {
  it('writes the defaults exactly as Go does', () => {
    expect(JSON.stringify(ipfsHttpConfigToJson(defaultIpfsHttpConfig()))).toBe(JSON.stringify({
      node_multiaddress: '/ip4/127.0.0.1/tcp/5001',
      connect_swarms_delay: '30s',
      ipfs_request_timeout: '5m0s',
      pin_timeout: '2m0s',
      unpin_timeout: '3h0m0s',
      repogc_timeout: '24h0m0s',
      informer_trigger_interval: 0
    }))
  })

  it('overlays present keys, keeps defaults for missing or empty ones, ignores unknown keys', () => {
    const cfg = parseIpfsHttpConfig({
      node_multiaddress: '/dns4/ipfs0/tcp/5001',
      pin_timeout: '5s',
      connect_swarms_delay: '0s',
      unpin_timeout: '',
      informer_trigger_interval: 3,
      unpin_disable: true,
      ipfs_sync_interval: '2m'
    })
    expect(cfg).toEqual({
      ...defaultIpfsHttpConfig(),
      nodeMultiaddress: '/dns4/ipfs0/tcp/5001',
      pinTimeoutMs: 5000,
      connectSwarmsDelayMs: 0,
      informerTriggerInterval: 3,
      unpinDisable: true
    })
    expect(ipfsHttpConfigToJson(cfg).unpin_disable).toBe(true)
  })

  it('rejects what Go rejects, with Go\'s messages, and a zero pin_timeout', () => {
    expect(() => parseIpfsHttpConfig({})).toThrow(/^error parsing ipfs_node_multiaddress/)
    expect(() => parseIpfsHttpConfig({ node_multiaddress: '/ip4/1.2.3.4/udp/1' })).toThrow(InvalidConfigError)
    expect(() => parseIpfsHttpConfig({ node_multiaddress: '/ip4/127.0.0.1/tcp/5001', pin_timeout: 'soon' }))
      .toThrow('error parsing ipfshttp.pin_timeout: time: invalid duration "soon"')
    expect(() => parseIpfsHttpConfig({ node_multiaddress: '/ip4/127.0.0.1/tcp/5001', unpin_timeout: '-1s' }))
      .toThrow('ipfshttp.unpin_timeout invalid')
    expect(() => parseIpfsHttpConfig({ node_multiaddress: '/ip4/127.0.0.1/tcp/5001', pin_timeout: '0s' }))
      .toThrow('ipfshttp.pin_timeout invalid')
  })

  it('applies CLUSTER_IPFSHTTP_* environment overrides', () => {
    const cfg = applyIpfsHttpEnv(defaultIpfsHttpConfig(), {
      CLUSTER_IPFSHTTP_NODEMULTIADDRESS: '/dns4/ipfs0/tcp/5001',
      CLUSTER_IPFSHTTP_PINTIMEOUT: '10s',
      CLUSTER_IPFSHTTP_UNPINDISABLE: 'T',
      CLUSTER_IPFSHTTP_INFORMERTRIGGERINTERVAL: '7'
    })
    expect(cfg.nodeMultiaddress).toBe('/dns4/ipfs0/tcp/5001')
    expect(cfg.pinTimeoutMs).toBe(10_000)
    expect(cfg.unpinDisable).toBe(true)
    expect(cfg.informerTriggerInterval).toBe(7)
    expect(() => applyIpfsHttpEnv(defaultIpfsHttpConfig(), { CLUSTER_IPFSHTTP_UNPINDISABLE: 'yes' })).toThrow(InvalidConfigError)
  })

  it('maps node addresses to HTTP targets, unix sockets included', () => {
    expect(targetOf('/ip4/127.0.0.1/tcp/5001')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 5001 })
    expect(targetOf('/ip6/::1/tcp/5001')).toEqual({ kind: 'tcp', host: '::1', port: 5001 })
    expect(targetOf('/dns/ipfs0/tcp/80')).toEqual({ kind: 'tcp', host: 'ipfs0', port: 80 })
    expect(targetOf('/unix/tmp/ipfs.sock')).toEqual({ kind: 'unix', socketPath: '/tmp/ipfs.sock' })
    expect(targetOf('/unix/tmp%2Fipfs.sock')).toEqual({ kind: 'unix', socketPath: '/tmp/ipfs.sock' })
    expect(() => targetOf('/ip4/127.0.0.1/udp/5001')).toThrow(InvalidConfigError)
  })
})
