/** node:http timeout checks shared by the REST API, Pinning Service API and IPFS proxy servers. */

/**
 * How often node:http looks for connections past their header or request timeout, for the
 * configured timeouts (ms, 0 = none): a fifth of the shortest, between 100 ms and 1 s. node:http's
 * default (30 s) let a slow client hold a connection for up to 30 s past a 5 s header timeout.
 */
export function connectionsCheckingIntervalOf (headersTimeoutMs: number, requestTimeoutMs: number): number {
  const shortest = Math.min(...[headersTimeoutMs, requestTimeoutMs].filter(t => t > 0), 5_000)
  return Math.max(100, Math.min(1_000, Math.floor(shortest / 5)))
}
