/**
 * Calls to the REST API with fail-over across the `--host` targets (only transport failures
 * move on to the next target, as Go's load-balancing client does). Failures become
 * ApiCallError carrying the `{code, message}` Go prints.
 */
import type { ErrorBody } from '@cluster/api'
import type { RestClient } from '@cluster/rest-client'
import { errorBodyOf, isTransportError } from './connection.ts'
import type { Target } from './connection.ts'
import { CtlError } from './errors.ts'

/** An API call failed: printed as the `An error occurred:` block; exit 1 (code 0) or 2. */
export class ApiCallError extends CtlError {
  override readonly name = 'ApiCallError'
  override readonly code = 'ERR_API_CALL'
  override readonly exitCode: number
  readonly body: ErrorBody
  /** How many targets were tried (for Go's "retries" log line). */
  readonly retries: number

  constructor (body: ErrorBody, retries: number, options?: ErrorOptions) {
    super(body.message, options)
    this.body = body
    this.retries = retries
    this.exitCode = body.code === 0 ? 1 : 2
  }
}

export class Api {
  readonly targets: Target[]

  constructor (targets: Target[]) {
    this.targets = targets
  }

  /** A single-answer call. */
  async call<T> (fn: (client: RestClient, target: Target) => Promise<T>): Promise<T> {
    let last: unknown
    for (const t of this.targets) {
      try {
        return await fn(t.client, t)
      } catch (err) {
        last = err
        if (!isTransportError(err)) throw new ApiCallError(errorBodyOf(err, t), 1, { cause: err })
        if (t === this.targets[this.targets.length - 1]) throw new ApiCallError(errorBodyOf(err, t), this.targets.length, { cause: err })
      }
    }
    throw new ApiCallError({ code: 0, message: String(last) }, this.targets.length)
  }

  /** A streamed call: fails over only while nothing has been received yet. */
  async * stream<T> (fn: (client: RestClient) => AsyncIterable<T>): AsyncGenerator<T> {
    for (let i = 0; i < this.targets.length; i++) {
      const t = this.targets[i]!
      let received = false
      try {
        for await (const item of fn(t.client)) {
          received = true
          yield item
        }
        return
      } catch (err) {
        if (received || !isTransportError(err) || i === this.targets.length - 1) {
          throw new ApiCallError(errorBodyOf(err, t), isTransportError(err) ? i + 1 : 1, { cause: err })
        }
      }
    }
  }

  close (): void {
    for (const t of this.targets) t.client.close()
  }
}
