/** The Go IPFS Cluster version this peer matches (what `version` commands and `GET /version` say). */
export const VERSION = '1.1.6'
