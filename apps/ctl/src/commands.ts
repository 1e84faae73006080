/**
 * The command tree of ipfs-cluster-ctl v1.1.6: names, flags, usage and description texts as
 * the Go program declares them (its help screens are reproduced from these).
 */
import type { FlagDef } from './flags.ts'
import type { AppDef, CommandDef } from './help.ts'
import { SEARCH_FLAGS } from './search.ts'
import { FROM_FILE } from './batch.ts'
import { REBALANCE_DESCRIPTION, REBALANCE_FLAGS } from './rebalance.ts'

export const VERSION = '1.1.6'
export const DEFAULT_HOST = '/ip4/127.0.0.1/tcp/9094'

const f = (names: string[], kind: FlagDef['kind'], usage: string, defaultText?: string, envVar?: string): FlagDef => ({
  names, kind, usage, ...(defaultText !== undefined ? { defaultText } : {}), ...(envVar !== undefined ? { envVar } : {})
})

export const GLOBAL_FLAGS: readonly FlagDef[] = [
  f(['host', 'l'], 'string', 'API endpoint multiaddresses (comma-separated)', DEFAULT_HOST),
  f(['secret'], 'string', 'cluster secret (32 byte pnet-key) as needed. Only when using the LibP2P endpoint'),
  f(['https', 's'], 'bool', 'use https to connect to the API'),
  f(['no-check-certificate'], 'bool', 'do not verify server TLS certificate. only valid with --https flag'),
  f(['encoding', 'enc'], 'string', 'output format encoding [text, json]', 'text'),
  f(['timeout', 't'], 'int', 'number of seconds to wait before timing out a request', '0'),
  f(['debug', 'd'], 'bool', 'set debug log level'),
  f(['basic-auth'], 'string', '<username>[:<password>] specify BasicAuth credentials for server that\nrequires authorization. implies --https, which you can disable with --force-http', undefined, 'CLUSTER_CREDENTIALS'),
  f(['force-http', 'f'], 'bool', 'force HTTP. only valid when using BasicAuth')
]

/** Flags accepted at the top level but not shown in help. */
export const APP_ONLY_FLAGS: readonly FlagDef[] = [
  f(['version', 'v'], 'bool', 'print the version'),
  // Extension: no progress line on stderr even when it is a terminal (progress.ts).
  { ...f(['no-progress'], 'bool', 'do not show progress on stderr'), hidden: true }
]

const LOCAL = f(['local'], 'bool', 'run operation only on the contacted peer')
const NO_STATUS = (what: string): FlagDef => f(['no-status', 'ns'], 'bool', `Prevents fetching pin status after ${what} (faster, quieter)`)
const WAIT = f(['wait', 'w'], 'bool', 'Wait for the pin to reach the minimum replication factor before returning')
const WAIT_LIMIT = f(['wait-limit', 'wl'], 'int', 'How many peers should reach the desired status to finish waiting', '0')
const WAIT_TIMEOUT = f(['wait-timeout', 'wt'], 'duration', 'How long to --wait (in seconds). Default: forever', '0')
const METADATA = f(['metadata'], 'stringSlice', 'Pin metadata: key=value. Can be added multiple times')
const ALLOCATIONS = f(['allocations', 'allocs'], 'string', 'Optional comma-separated list of peer IDs')

const ADD_DESCRIPTION = '\nAdd allows to add and replicate content to several ipfs daemons, performing\na Cluster Pin operation on success. It takes elements from local paths as\nwell as from web URLs (accessed with a GET request). Providing several\narguments will automatically set --wrap-in-directory.\n\nCluster "add" works, by default, just like "ipfs add" and has similar options\nin terms of DAG layout, chunker, hash function etc. It also supports adding\nCAR files directly (--format car), as long as they have a single root. When\nadding CAR files, all the options related to dag-building are ignored.\n\nAdded content will be allocated and sent block by block to the peers that\nshould pin it (among which may not necessarily be the local ipfs daemon).\nOnce all the blocks have arrived, they will be "cluster-pinned". This makes \ncluster add slower than a local ipfs add, but the result is a fully replicated\non completion. If you prefer faster adding, use the --local flag to add \ndirectly to the local IPFS node and pin in the destinations after that. \nNote that the local IPFS node may not be among the destinations, which will\nleave the unpinned content in it.\n\nOptional replication-min and replication-max factors can be provided: -1 means\n"pin everywhere" and 0 means use cluster\'s default setting (i.e., replication\nfactor set in config). Positive values indicate how many peers should pin this\ncontent.\n'

const APP_DESCRIPTION = '\nipfs-cluster-ctl is a tool to manage IPFS Cluster nodes.\n\nUse "ipfs-cluster-ctl help" to list all available commands and\n"ipfs-cluster-ctl help <command>" to get usage information for a\nspecific one.\n\nipfs-cluster-ctl uses the IPFS Cluster API to perform requests and\ndisplay responses in a user-readable format. The location of the IPFS\nCluster server is assumed to be /ip4/127.0.0.1/tcp/9094, but can be configured\nwith the --host option. If several multiaddresses are specified \n(comma-separated), requests will be sent to the first one and fail-over \nover to the others. This also works for dns-based addresses which resolve\nto multiple values.\n\nTo use the secure libp2p-http API endpoint, use "--host" with \nthe full cluster libp2p listener address, including the "/p2p/<peerID>"\npart, or a /dnsaddr that resolves to it. Provide the cluster secret with \n--secret as needed.\n\nFor feedback, bug reports or any additional information, visit\nhttps://github.com/ipfs-cluster/ipfs-cluster.\n'

export const COMMANDS: readonly CommandDef[] = [
  {
    name: 'id',
    usage: 'Retrieve peer information',
    description: '\nThis command displays information about the peer that the tool is contacting\n(usually running in localhost).\n'
  },
  {
    name: 'peers',
    usage: 'List and manage IPFS Cluster peers',
    description: 'List and manage IPFS Cluster peers',
    subcommands: [
      {
        name: 'ls',
        usage: 'list the nodes participating in the IPFS Cluster',
        argsUsage: ' ',
        description: '\nThis command provides a list of the ID information of all the peers in the Cluster.\n'
      },
      {
        name: 'rm',
        usage: 'remove a peer from the Cluster',
        argsUsage: '<peer ID>',
        description: '\nThis command removes a peer from the cluster. If the peer is online, it will\nautomatically shut down. All other cluster peers should be online for the\noperation to succeed, otherwise some nodes may be left with an outdated list of\ncluster peers.\n'
      }
    ]
  },
  {
    name: 'add',
    usage: 'Add a file or directory to ipfs and pin it in the cluster',
    argsUsage: '<path>',
    description: ADD_DESCRIPTION,
    flags: [
      f(['recursive', 'r'], 'bool', 'Add directory paths recursively'),
      f(['quiet', 'q'], 'bool', 'Write only hashes to output (one per line)'),
      f(['quieter', 'Q'], 'bool', 'Write only final hash to output'),
      f(['no-stream'], 'bool', 'Buffer output locally. Produces a valid JSON array with --enc=json.'),
      f(['local'], 'bool', 'Add to local peer but pin normally'),
      f(['name', 'n'], 'string', 'Sets a name for this pin'),
      f(['replication-min', 'rmin'], 'int', 'Sets the minimum replication factor for pinning this file', '0'),
      f(['replication-max', 'rmax'], 'int', 'Sets the maximum replication factor for pinning this file', '0'),
      f(['expire-in'], 'string', 'Duration after which the pin should be unpinned automatically'),
      METADATA,
      ALLOCATIONS,
      f(['no-pin'], 'bool', 'Do not pin after adding'),
      f(['wait'], 'bool', 'Wait for the pin to reach the minimum replication factor before returning'),
      WAIT_TIMEOUT,
      f(['wrap-with-directory', 'w'], 'bool', 'Wrap a with a directory object'),
      f(['format'], 'string', "'unixfs' (add as unixfs DAG), 'car' (import CAR file)", 'unixfs'),
      f(['layout'], 'string', 'Dag layout to use for dag generation: balanced or trickle'),
      f(['hidden', 'H'], 'bool', 'Include files that are hidden.  Only takes effect on recursive add'),
      f(['chunker', 's'], 'string', "'size-<size>' or 'rabin-<min>-<avg>-<max>'", 'size-262144'),
      f(['raw-leaves'], 'bool', 'Use raw blocks for leaves (experimental)'),
      f(['cid-version'], 'int', 'CID version. Non default implies raw-leaves', '0'),
      f(['hash'], 'string', 'Hash function to use. Implies cid-version=1', 'sha2-256'),
      f(['nocopy'], 'bool', 'Add the URL using filestore. Implies raw-leaves. (experimental)')
    ]
  },
  {
    name: 'pin',
    usage: 'Pin and unpin and list items in IPFS Cluster',
    description: 'Pin and unpin and list items in IPFS Cluster',
    subcommands: [
      {
        name: 'add',
        usage: 'Pin an item in the cluster',
        argsUsage: '<CID|Path>',
        description: '\nThis command tells IPFS Cluster to start managing a CID. Depending on\nthe pinning strategy, this will trigger IPFS pin requests. The CID will\nbecome part of the Cluster\'s state and will tracked from this point.\n\nWhen the request has succeeded, the command returns the status of the CID\nin the cluster and should be part of the list offered by "pin ls".\n\nAn optional replication factor can be provided: -1 means "pin everywhere"\nand 0 means use cluster\'s default setting (i.e., replication factor set in\nconfig). Positive values indicate how many peers should pin this content.\n\nAn optional allocations argument can be provided, allocations should be a\ncomma-separated list of peer IDs on which we want to pin. Peers in allocations\nare prioritized over automatically-determined ones, but replication factors\nwould still be respected.\n',
        flags: [
          f(['replication', 'r'], 'int', 'Sets a custom replication factor (overrides -rmax and -rmin)', '0'),
          f(['replication-min', 'rmin'], 'int', 'Sets the minimum replication factor for this pin', '0'),
          f(['replication-max', 'rmax'], 'int', 'Sets the maximum replication factor for this pin', '0'),
          ALLOCATIONS,
          f(['name', 'n'], 'string', 'Sets a name for this pin'),
          f(['mode'], 'string', 'Select a way to pin: recursive or direct', 'recursive'),
          f(['expire-in'], 'string', 'Duration after which pin should be unpinned automatically'),
          METADATA,
          NO_STATUS('pinning'),
          WAIT,
          WAIT_LIMIT,
          WAIT_TIMEOUT,
          FROM_FILE
        ]
      },
      {
        name: 'rm',
        usage: 'Unpin an item from the cluster',
        argsUsage: '<CID|Path>',
        description: '\nThis command tells IPFS Cluster to no longer manage a CID. This will\ntrigger unpinning operations in all the IPFS nodes holding the content.\n\nWhen the request has succeeded, the command returns the status of the CID\nin the cluster. The CID should disappear from the list offered by "pin ls",\nalthough unpinning operations in the cluster may take longer or fail.\n',
        flags: [NO_STATUS('unpinning'), WAIT, WAIT_LIMIT, WAIT_TIMEOUT, FROM_FILE]
      },
      {
        name: 'update',
        usage: 'Pin a new item based on an existing one',
        argsUsage: '<existing-CID> <new-CID|Path>',
        description: '\nThis command will add a new pin to the cluster taking all the options from an\nexisting one, including name. This means that the new pin will bypass the\nallocation process and will be allocated to the same peers as the existing\none.\n\nThe cluster peers will try to Pin the new item on IPFS using the "pin update"\ncommand. This is especially efficient when the content of two pins (their DAGs)\nare similar.\n\nUnlike the "pin update" command in the ipfs daemon, this will not unpin the\nexisting item from the cluster. Please run "pin rm" for that.\n',
        flags: [
          f(['name', 'n'], 'string', 'Sets a name for this updated pin'),
          f(['expire-in'], 'string', 'Duration after which the pin should be unpinned automatically after updating'),
          NO_STATUS('updating'),
          WAIT,
          WAIT_LIMIT,
          WAIT_TIMEOUT
        ]
      },
      {
        name: 'ls',
        usage: 'List items in the cluster pinset',
        argsUsage: '[CID]',
        description: '\nThis command will list the CIDs which are tracked by IPFS Cluster and to\nwhich peers they are currently allocated. This list does not include\nany monitoring information about the IPFS status of the CIDs, it\nmerely represents the list of pins which are part of the shared state of\nthe cluster. For IPFS-status information about the pins, use "status".\n\nThe filter only takes effect when listing all pins. The possible values are:\n  - all (default)\n  - pin (normal pins, recursive or direct)\n  - meta-pin (sharded pins)\n  - clusterdag-pin (sharding-dag root pins)\n  - shard-pin (individual shard pins)\n',
        flags: [f(['filter'], 'string', 'Comma separated list of pin types. See help above.', 'all'), ...SEARCH_FLAGS]
      }
    ]
  },
  {
    name: 'status',
    usage: 'Retrieve the status of tracked items',
    argsUsage: '[CID1] [CID2]...',
    description: '\nThis command retrieves the status of the CIDs tracked by IPFS\nCluster, including which member is pinning them and any errors.\nIf one of several CIDs are provided, the status will be only fetched \nfor a single item.  Metadata CIDs are included in the status response.\n\nWhen the --local flag is passed, it will only fetch the status from the\ncontacted cluster peer. By default, status will be fetched from all peers.\n\nWhen the --filter flag is passed, it will only fetch the peer information\nwhere status of the pin matches at least one of the filter values (a comma\nseparated list). The following are valid status values:\n\n  - cluster_error\n  - error\n  - pin_error\n  - pin_queued\n  - pinned\n  - pinning\n  - queued\n  - remote\n  - sharded\n  - unexpectedly_unpinned\n  - unpin_error\n  - unpin_queued\n  - unpinned\n  - unpinning',
    flags: [LOCAL, f(['filter'], 'string', 'comma-separated list of filters'), ...SEARCH_FLAGS]
  },
  {
    name: 'recover',
    usage: 'Recover tracked items in error state',
    argsUsage: '[CID]',
    description: '\nThis command asks Cluster peers to re-track or re-forget CIDs in\nerror state, usually because the IPFS pin or unpin operation has failed.\n\nThe command will wait for any operations to succeed and will return the status\nof the item upon completion. Note that, when running on the full sets of tracked\nCIDs (without argument), it may take a considerably long time.\n\nWhen the --local flag is passed, it will only trigger recover\noperations on the contacted peer (as opposed to on every peer).\n',
    flags: [LOCAL]
  },
  {
    name: 'version',
    usage: 'Retrieve cluster version',
    argsUsage: ' ',
    description: '\nThis command retrieves the IPFS Cluster version and can be used\nto check that it matches the CLI version (shown by -v).\n'
  },
  {
    name: 'health',
    usage: 'Cluster monitoring information',
    description: 'Cluster monitoring information',
    subcommands: [
      {
        name: 'graph',
        usage: 'create a graph displaying connectivity of cluster peers',
        description: "\nThis command queries all connected cluster peers and their ipfs peers to generate a\ngraph of the connections.  Output is a dot file encoding the cluster's connection state.\n",
        flags: [
          f(['file', 'f'], 'string', 'sets an output dot-file for the connectivity graph'),
          f(['all-ipfs-peers'], 'bool', 'causes the graph to mark nodes for ipfs peers not directly in the cluster')
        ]
      },
      {
        name: 'metrics',
        usage: 'List latest metrics logged by this peer',
        argsUsage: '<metric name>',
        description: '\nThis commands displays the latest valid metrics of the given type logged\nby this peer for all current cluster peers.\n\nIf no argument is provided, the command retrieves all currently existing metric types.\n\nCurrently supported metrics depend on the informer component used,\nbut usually are:\n\n- freespace\n- ping\n'
      },
      {
        name: 'alerts',
        usage: 'List the latest expired metric alerts',
        description: '\nThis command provides a list of "alerts" that the cluster has seen.\n\nAn alert is triggered when one of the metrics seen for a peer expires, and no\nnew metrics have been received.\n\nDifferent alerts may be handled in different ways. i.e. ping alerts may\ntrigger automatic repinnings if configured.\n'
      },
      {
        name: 'bandwidth',
        usage: 'Lists bandwidth stats for libp2p protocols',
        description: '\nThis command lists information about bytes sent, received and current bandwidth\nrates for each libp2p protocol that the peer uses.\n'
      }
    ]
  },
  {
    name: 'ipfs',
    usage: 'Manage IPFS daemon',
    description: 'Manage IPFS daemon',
    subcommands: [
      {
        name: 'gc',
        usage: 'run garbage collection on IPFS repos of cluster peers',
        description: '\nThis command will instruct current Cluster peers to run "repo gc" on their\nrespective IPFS daemons.\n\nWhen --local flag is passed, it will garbage collect only on the local IPFS\ndaemon, otherwise on all IPFS daemons.\n',
        flags: [LOCAL]
      }
    ]
  },
  { name: 'rebalance', usage: 'Move pins to the allocations they would get now', argsUsage: ' ', description: REBALANCE_DESCRIPTION, flags: REBALANCE_FLAGS, hidden: true, extension: true },
  { name: 'commands', usage: 'List all commands', argsUsage: ' ', hidden: true },
  { name: 'help', aliases: ['h'], usage: 'Shows a list of commands or help for one command', argsUsage: '[command]' }
]

export const APP: AppDef = {
  name: 'ipfs-cluster-ctl',
  usage: 'CLI for IPFS Cluster',
  version: VERSION,
  description: APP_DESCRIPTION,
  flags: GLOBAL_FLAGS,
  commands: COMMANDS
}

/** The `commands` listing (every command path, `help` last). */
export function commandList (): string {
  const lines: string[] = []
  const walk = (prefix: string, cmds: readonly CommandDef[]): void => {
    for (const c of cmds) {
      if (c.name === 'help' || c.extension === true) continue
      lines.push(`${prefix} ${c.name}`)
      if (c.subcommands !== undefined) walk(`${prefix} ${c.name}`, c.subcommands)
    }
  }
  walk(APP.name, COMMANDS)
  lines.push(`${APP.name} help`)
  return lines.map((l) => l + '\n').join('')
}
