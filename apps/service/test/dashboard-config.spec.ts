/**
 * The `restapi.dashboard` key (not a Go key): false when absent and then not written (the file
 * stays as Go writes it), read from the file and from CLUSTER_RESTAPI_DASHBOARD, ignored in the
 * `pinsvcapi` section, and handed to the REST API server.
 */
import { describe, expect, it } from 'vitest'
import { parseServiceConfig, serviceConfigToJson } from '../src/config/index.ts'
import { serverConfigOf } from '../src/config/sections/http-api.ts'
import { fixture } from './fixtures/config/helpers.ts'

async function load (edit: (json: any) => void = () => {}, env: Record<string, string> = {}): Promise<ReturnType<typeof parseServiceConfig>> {
  const json = JSON.parse(await fixture('service-default.json'))
  edit(json)
  return parseServiceConfig(JSON.stringify(json), { env })
}

describe('restapi.dashboard', () => {
  it('is off and not written by default', async () => {
    const { config, warnings } = await load()
    expect(config.api.restapi.dashboard).toBe(false)
    expect(warnings).toEqual([])
    expect((serviceConfigToJson(config).api as any).restapi).not.toHaveProperty('dashboard')
    expect(serverConfigOf('restapi', config.api.restapi, '.').dashboard).toBe(false)
  })

  it('is read from the file, written back, and reaches the server config', async () => {
    const { config, warnings } = await load((j) => { j.api.restapi.dashboard = true })
    expect(warnings).toEqual([])
    expect(config.api.restapi.dashboard).toBe(true)
    expect((serviceConfigToJson(config).api as any).restapi.dashboard).toBe(true)
    expect(serverConfigOf('restapi', config.api.restapi, '.').dashboard).toBe(true)
  })

  it('is set by CLUSTER_RESTAPI_DASHBOARD, and only for the REST API', async () => {
    expect((await load(() => {}, { CLUSTER_RESTAPI_DASHBOARD: 'true' })).config.api.restapi.dashboard).toBe(true)
    expect((await load((j) => { j.api.restapi.dashboard = true }, { CLUSTER_RESTAPI_DASHBOARD: 'false' })).config.api.restapi.dashboard).toBe(false)
    const { config } = await load((j) => { j.api.pinsvcapi.dashboard = true }, { CLUSTER_PINSVCAPI_DASHBOARD: 'true' })
    expect(config.api.pinsvcapi.dashboard).toBe(false)
  })
})
