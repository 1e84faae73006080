/**
 * What the proxy reports per answered request (`ProxyServerOptions.onRequest`): the Kubo
 * endpoint as a bounded route label, the status and the time to the end of the answer.
 */

/** One answered request; the same shape as the REST API's samples. */
export interface ProxyRequestSample {
  method: string
  /** `/api/v0/<command>` of a Kubo RPC command, or `other`: bounded labels. */
  route: string
  status: number
  seconds: number
}

/** The label of every path that is not a known Kubo RPC command. */
export const OTHER_ROUTE = 'other'

/**
 * Kubo's RPC commands (`ipfs commands`, Kubo 0.2x–0.3x), without `/api/v0/`. A path outside this
 * list (a typo, a scanner, a command of a newer Kubo) is counted under `other`, so a client
 * cannot make the label set grow.
 */
const KUBO_COMMANDS = new Set([
  'add', 'bitswap/ledger', 'bitswap/reprovide', 'bitswap/stat', 'bitswap/wantlist',
  'block/get', 'block/put', 'block/rm', 'block/stat',
  'bootstrap', 'bootstrap/add', 'bootstrap/add/default', 'bootstrap/list', 'bootstrap/rm', 'bootstrap/rm/all',
  'cat', 'cid/base32', 'cid/bases', 'cid/codecs', 'cid/format', 'cid/hashes', 'commands', 'commands/completion/bash',
  'config', 'config/edit', 'config/profile/apply', 'config/replace', 'config/show',
  'dag/export', 'dag/get', 'dag/import', 'dag/put', 'dag/resolve', 'dag/stat',
  'dht/findpeer', 'dht/findprovs', 'dht/get', 'dht/provide', 'dht/put', 'dht/query',
  'diag/cmds', 'diag/cmds/clear', 'diag/cmds/set-time', 'diag/datastore/count', 'diag/datastore/get', 'diag/profile', 'diag/sys',
  'dns', 'files/chcid', 'files/chmod', 'files/cp', 'files/flush', 'files/ls', 'files/mkdir', 'files/mv', 'files/read',
  'files/rm', 'files/stat', 'files/touch', 'files/write', 'filestore/dups', 'filestore/ls', 'filestore/verify',
  'get', 'id', 'key/export', 'key/gen', 'key/import', 'key/list', 'key/ls', 'key/rename', 'key/rm', 'key/rotate', 'key/sign', 'key/verify',
  'log/get-level', 'log/level', 'log/ls', 'log/tail', 'ls', 'mount',
  'multibase/decode', 'multibase/encode', 'multibase/list', 'multibase/transcode',
  'name/get', 'name/inspect', 'name/publish', 'name/pubsub/cancel', 'name/pubsub/state', 'name/pubsub/subs', 'name/put', 'name/resolve',
  'object/data', 'object/diff', 'object/get', 'object/links', 'object/new', 'object/patch/add-link', 'object/patch/rm-link', 'object/stat',
  'p2p/close', 'p2p/forward', 'p2p/listen', 'p2p/ls', 'p2p/stream/close', 'p2p/stream/ls',
  'pin/add', 'pin/ls', 'pin/remote/add', 'pin/remote/ls', 'pin/remote/rm', 'pin/remote/service/add', 'pin/remote/service/ls',
  'pin/remote/service/rm', 'pin/rm', 'pin/update', 'pin/verify', 'ping', 'provide/clear', 'provide/stat',
  'pubsub/ls', 'pubsub/peers', 'pubsub/pub', 'pubsub/sub', 'refs', 'refs/local',
  'repo/fsck', 'repo/gc', 'repo/ls', 'repo/migrate', 'repo/stat', 'repo/verify', 'repo/version', 'resolve',
  'routing/findpeer', 'routing/findprovs', 'routing/get', 'routing/provide', 'routing/put', 'routing/reprovide',
  'shutdown', 'stats/bitswap', 'stats/bw', 'stats/dht', 'stats/provide', 'stats/reprovide', 'stats/repo',
  'swarm/addrs', 'swarm/addrs/listen', 'swarm/addrs/local', 'swarm/connect', 'swarm/disconnect', 'swarm/filters',
  'swarm/filters/add', 'swarm/filters/rm', 'swarm/limit', 'swarm/peering/add', 'swarm/peering/ls', 'swarm/peering/rm',
  'swarm/peers', 'swarm/resources', 'swarm/stats', 'update', 'version', 'version/check', 'version/deps'
])

/** The slash forms the proxy answers (`/api/v0/pin/add/<cid>`): counted under their command. */
const SLASH_FORMS = ['pin/add', 'pin/rm', 'pin/ls']

const PREFIX = '/api/v0/'

/** The route label of a request URL: `/api/v0/<command>` when Kubo has that command, else `other`. */
export function routeLabel (url: string | undefined): string {
  const raw = url ?? '/'
  const q = raw.indexOf('?')
  const path = q === -1 ? raw : raw.slice(0, q)
  if (!path.startsWith(PREFIX)) return OTHER_ROUTE
  const command = path.slice(PREFIX.length).replace(/\/$/, '')
  if (KUBO_COMMANDS.has(command)) return PREFIX + command
  for (const form of SLASH_FORMS) {
    const rest = command.slice(form.length + 1)
    if (command.startsWith(`${form}/`) && rest !== '' && !rest.includes('/')) return PREFIX + form
  }
  return OTHER_ROUTE
}
