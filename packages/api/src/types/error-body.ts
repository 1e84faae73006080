/** The REST API error object: `{"code":<HTTP status>,"message":"..."}`. */
import type { JsonObject } from '../json.ts'
import { parseJson } from '../json.ts'
import { readInt, readObject, readString, required } from '../decode.ts'

export interface ErrorBody {
  /** Same as the HTTP status. */
  code: number
  message: string
}

export function encodeErrorBody (e: ErrorBody): JsonObject {
  return { code: e.code, message: e.message }
}

export function decodeErrorBody (value: unknown, path = ''): ErrorBody {
  const obj = readObject(value, path)
  return { code: required(obj, 'code', path, readInt), message: required(obj, 'message', path, readString) }
}

/**
 * What the Go client makes of an error response (status 400-599): the body decoded as an error
 * object, or `{code: status, message: <raw body>}` when it is not one.
 */
export function errorBodyFromResponse (status: number, bodyText: string): ErrorBody {
  try {
    return decodeErrorBody(parseJson(bodyText))
  } catch {
    return { code: status, message: bodyText }
  }
}
