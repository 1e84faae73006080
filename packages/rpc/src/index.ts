export { RpcServer, RPC_PROTOCOL, type CallContext, type RpcServerInit } from './server.ts'
export { RpcClient, STREAM_WINDOW_BYTES, type AlternateWire, type CallOptions, type RpcCallSample, type RpcClientOptions } from './client.ts'
export { unary, streaming, none, text, json, listOf, type Method, type UnaryMethod, type StreamMethod, type Policy } from './method.ts'
export { RpcError, type RpcErrorType } from './errors.ts'
