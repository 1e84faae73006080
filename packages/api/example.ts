import { decodePin, encodePin, parseJson, stringifyJson, Timestamp } from '@cluster/api'

const body = '{"replication_factor_min":-1,"replication_factor_max":-1,"name":"dataset-2025","mode":"recursive","shard_size":0,"user_allocations":null,"expire_at":"0001-01-01T00:00:00Z","metadata":{"kind":"text"},"pin_update":null,"origins":[],"cid":"bafybeiffd3lbj7yhtdcstalnjfhpmgg37obes2zrgejyo5mfgni2s4yipa","type":"pin","allocations":[],"max_depth":-1,"reference":null,"timestamp":"2025-03-01T12:34:56+01:00"}'

const pin = decodePin(parseJson(body))
console.log(pin.cid.toString(), pin.name, pin.metadata?.kind)
console.log(pin.timestamp.offsetMinutes, pin.expireAt.isZero())

const renamed = { ...pin, name: 'renamed', timestamp: Timestamp.parse('2025-03-01T12:35:10.081622217+01:00') }
console.log(stringifyJson(encodePin(renamed)))
console.log(stringifyJson(encodePin(pin)) === body)
