/** Access log lines of the REST API: Common Log Format with the Basic-auth user, as Go writes them. */
import type { IncomingMessage } from 'node:http'
import { commonLogLine } from '@cluster/api'
import { parseBasic } from './auth.ts'

export function accessLogLine (req: IncomingMessage, status: number, bytes: number, at: Date): string {
  const auth = req.headers.authorization
  return commonLogLine(req, status, bytes, at, auth === undefined ? undefined : parseBasic(auth)?.user)
}
