// ClusterMetrics and MetricsEndpoint on their own: values come from the bound sources at each
// scrape, events land in their histograms, the endpoint serves only GET/HEAD /metrics.
import { describe, expect, it } from 'vitest'
import { ClusterMetrics, MetricsEndpoint, MetricsEndpointError, parseEndpoint, type ClusterMetricSources } from '../src/index.ts'

function sources (over: Partial<ClusterMetricSources> = {}): ClusterMetricSources {
  return {
    pins: () => 7,
    pinPhases: () => ({ queued: 3, in_progress: 2, error: 1 }),
    ipfs: () => ({ ipfsPins: 5, pinAdd: 9, pinAddErrors: 4, blocksPut: 2, blocksAdded: 11, blocksAddedSize: 1234, blocksPutErrors: 0 }),
    informerDisk: () => 42,
    queues: () => ({ priority: 1, pin: 2, unpin: 0 }),
    running: () => ({ pins: 2, unpins: 0 }),
    peers: () => 3,
    ...over
  }
}

describe('ClusterMetrics', () => {
  it('reads zeros before it is bound, then the sources at every scrape', async () => {
    const metrics = new ClusterMetrics({ processMetrics: false })
    expect((await metrics.exposition()).body).toContain('\nipfscluster_pins 0\n')
    let pins = 7
    metrics.bind(sources({ pins: () => pins }))
    const { body, contentType } = await metrics.exposition()
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/)
    for (const line of [
      'ipfscluster_pins 7', 'ipfscluster_pins_pin_queued 3', 'ipfscluster_pins_pinning 2', 'ipfscluster_pins_pin_error 1',
      'ipfscluster_pins_ipfs_pins 5', 'ipfscluster_pins_pin_add 9', 'ipfscluster_pins_pin_add_errors 4', 'ipfscluster_blocks_put 2',
      'ipfscluster_blocks_added 11', 'ipfscluster_blocks_added_size 1234', 'ipfscluster_blocks_put_errors 0', 'ipfscluster_informer_disk 42',
      'ipfscluster_pintracker_queue_size{queue="pin"} 2', 'ipfscluster_pintracker_running{type="pin"} 2', 'ipfscluster_consensus_peers 3'
    ]) expect(body).toContain(`\n${line}\n`)
    pins = 8
    expect((await metrics.exposition()).body).toContain('\nipfscluster_pins 8\n')
  })

  it('counts HTTP requests and commits by label, and leader changes', async () => {
    const metrics = new ClusterMetrics({ processMetrics: false })
    const rest = metrics.httpSink('restapi')
    rest({ method: 'POST', route: '/pins/:hash', status: 200, seconds: 0.02 })
    rest({ method: 'POST', route: '/pins/:hash', status: 200, seconds: 0.3 })
    metrics.commit('pin', 0.004, true)
    metrics.commit('unpin', 2, false)
    metrics.leaderChanged()
    const { body } = await metrics.exposition()
    expect(body).toContain('ipfscluster_http_requests_total{api="restapi",method="POST",route="/pins/:hash",code="200"} 2')
    expect(body).toContain('ipfscluster_http_request_duration_seconds_bucket{le="0.025",api="restapi",method="POST",route="/pins/:hash",code="200"} 1')
    expect(body).toContain('ipfscluster_consensus_commits_total{op="unpin",result="error"} 1')
    expect(body).toContain('ipfscluster_consensus_commit_duration_seconds_count{op="pin"} 1')
    expect(body).toContain('ipfscluster_consensus_leader_changes_total 1')
  })

  it('times calls to other peers by method and outcome', async () => {
    const metrics = new ClusterMetrics({ processMetrics: false })
    metrics.rpcCall({ method: 'Cluster.ID', outcome: 'ok', seconds: 0.003 })
    metrics.rpcCall({ method: 'Cluster.ID', outcome: 'ok', seconds: 0.2 })
    metrics.rpcCall({ method: 'PinTracker.Status', outcome: 'transport', seconds: 5 })
    const { body } = await metrics.exposition()
    expect(body).toContain('# TYPE ipfscluster_rpc_client_duration_seconds histogram')
    expect(body).toContain('ipfscluster_rpc_client_duration_seconds_count{method="Cluster.ID",outcome="ok"} 2')
    expect(body).toContain('ipfscluster_rpc_client_duration_seconds_bucket{le="0.005",method="Cluster.ID",outcome="ok"} 1')
    expect(body).toContain('ipfscluster_rpc_client_duration_seconds_count{method="PinTracker.Status",outcome="transport"} 1')
  })
})

describe('MetricsEndpoint', () => {
  it('parses IP and DNS endpoints and refuses others with a clear error', () => {
    expect(parseEndpoint('/ip4/127.0.0.1/tcp/8888')).toEqual({ host: '127.0.0.1', port: 8888 })
    expect(parseEndpoint('/dns4/localhost/tcp/9')).toEqual({ host: 'localhost', port: 9 })
    expect(() => parseEndpoint('/ip4/127.0.0.1/udp/8888')).toThrow(MetricsEndpointError)
    expect(() => parseEndpoint('not a multiaddr')).toThrow(/invalid prometheus_endpoint/)
  })

  it('serves GET and HEAD /metrics, 404 elsewhere, 405 for other methods', async () => {
    const metrics = new ClusterMetrics({ processMetrics: false })
    const endpoint = new MetricsEndpoint(metrics, '/ip4/127.0.0.1/tcp/0')
    const { port } = await endpoint.start()
    try {
      const url = `http://127.0.0.1:${port}`
      const get = await fetch(`${url}/metrics`)
      expect(get.status).toBe(200)
      expect(await get.text()).toContain('# TYPE ipfscluster_pins gauge')
      const head = await fetch(`${url}/metrics?x=1`, { method: 'HEAD' })
      expect(head.status).toBe(200)
      expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0)
      expect((await fetch(`${url}/`)).status).toBe(404)
      const del = await fetch(`${url}/metrics`, { method: 'DELETE' })
      expect([del.status, del.headers.get('allow')]).toEqual([405, 'GET, HEAD'])
    } finally {
      await endpoint.stop()
    }
  })

  it('a taken port is a start error', async () => {
    const first = new MetricsEndpoint(new ClusterMetrics({ processMetrics: false }), '/ip4/127.0.0.1/tcp/0')
    const { port } = await first.start()
    try {
      const second = new MetricsEndpoint(new ClusterMetrics({ processMetrics: false }), `/ip4/127.0.0.1/tcp/${port}`)
      await expect(second.start()).rejects.toThrow(/listen 127\.0\.0\.1:\d+: .*EADDRINUSE/)
    } finally {
      await first.stop()
    }
  })
})
