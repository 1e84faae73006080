/** The hono environment of the app: Node objects when served by node:http, per-request state. */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Context } from 'hono'

export interface AppEnv {
  Bindings: {
    /** Present when served through @hono/node-server (absent for in-process `app.request`). */
    incoming?: IncomingMessage
    outgoing?: ServerResponse
  }
  Variables: {
    /** Headers every response gets (CORS `Vary` and allow headers). */
    base: Array<[string, string]>
    /** The authenticated user (Basic user or token issuer). */
    user: string | undefined
    /** Set when the auth header was a Bearer token. */
    viaToken: boolean
  }
}

export type AppContext = Context<AppEnv>
