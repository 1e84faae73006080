export * from './cluster/index.ts'
