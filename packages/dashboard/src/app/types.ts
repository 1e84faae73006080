/** The REST API's objects, as far as the dashboard reads them (rest-api.md §2). */
export interface PeerId {
  id: string
  peername: string
  addresses: string[] | null
  cluster_peers: string[] | null
  version: string
  error: string
  ipfs: { id?: string, addresses: string[] | null, error: string }
}

export interface Metric {
  name: string
  peer: string
  value: string
  expire: number
  valid: boolean
}

export interface Alert extends Metric {
  triggered_at: string
}

export interface PinInfoShort {
  peername: string
  status: string
  timestamp: string
  error: string
  attempt_count: number
}

export interface GlobalPinInfo {
  cid: string
  name: string
  allocations: string[] | null
  created: string
  metadata: Record<string, string> | null
  peer_map: Record<string, PinInfoShort>
}

export interface Pin {
  cid: string
  name: string
  mode: string
  type: string
  replication_factor_min: number
  replication_factor_max: number
  allocations: string[] | null
  user_allocations: string[] | null
  expire_at: string
  metadata: Record<string, string> | null
  origins: string[] | null
  max_depth: number
  timestamp: string
}

export interface ConnectGraph {
  cluster_id: string
  id_to_peername: Record<string, string> | null
  ipfs_links: Record<string, string[]> | null
  cluster_links: Record<string, string[]> | null
  cluster_to_ipfs: Record<string, string> | null
}
