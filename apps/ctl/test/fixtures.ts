/** Shared test data: the fake cluster, its IDs and the example pin of rest-api.md §2.4. */
export * from '@cluster/test-utils'
