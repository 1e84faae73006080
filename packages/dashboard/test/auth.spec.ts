/**
 * The dashboard behind the REST API's authentication, in headless Chromium, over an in-process
 * API (RestApiServer on the fake cluster): the page loads without credentials and offers a login
 * that trades them for a JWT (`POST /token`); refusals and a stopped peer are explained.
 */
import { request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { FakeCluster } from '@cluster/test-utils'
import { RestApiServer } from '../../rest-api/src/index.ts'
import { ensureBuilt, launch, newPage, screenshot, unlabelledControls } from './browser.ts'

const CREDS = { admin: 's3cret' }

/** A GET with the path sent as written (fetch would resolve `..` first). */
async function rawGet (url: string, path: string): Promise<{ status: number, location: string | undefined, body: string }> {
  return await new Promise((resolve, reject) => {
    const req = httpRequest(url + path, { method: 'GET', path }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }) })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('dashboard with basic auth (in-process API)', () => {
  let browser: Browser
  let server: RestApiServer
  let url: string
  const cluster = new FakeCluster()

  beforeAll(async () => {
    ensureBuilt()
    server = new RestApiServer(cluster, { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'], basicAuthCredentials: CREDS, dashboard: true }, { limits: { add: { active: 1, queued: 0 } } })
    url = (await server.start()).url
    browser = await launch()
  }, 60_000)
  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('serves the page without credentials and the API only with them', async () => {
    const page = await fetch(`${url}/ui`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'")
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(await page.text())?.[1]
    expect(script).toBeDefined()
    const js = await fetch(`${url}${script ?? ''}`)
    expect(js.status).toBe(200)
    expect(js.headers.get('cache-control')).toContain('immutable')
    expect((await fetch(`${url}/ui/assets/nothing.js`)).status).toBe(404)
    expect((await fetch(`${url}/id`)).status).toBe(401)
    // Paths that only start like the dashboard's reach no data without credentials.
    expect(await rawGet(url, '/ui/../pins')).toMatchObject({ status: 301, location: '/pins' })
    expect((await rawGet(url, '/ui/..%2Fpins')).status).toBe(404)
    expect((await rawGet(url, '/ui/assets/../../id')).status).toBe(301)
    // Only GET is public: other methods on /ui go through authentication first.
    expect((await fetch(`${url}/ui`, { method: 'POST' })).status).toBe(401)
  })

  it('logs in through POST /token, then shows the peers with a JWT', async () => {
    const page = await newPage(browser)
    const tokenCalls: string[] = []
    page.on('request', (r) => { if (r.url().endsWith('/token')) tokenCalls.push(r.method()) })
    await page.goto(`${url}/ui`)
    await page.getByRole('heading', { name: 'Log in to the cluster API' }).waitFor()
    expect(await unlabelledControls(page)).toEqual([])

    await page.getByLabel('User').fill('admin')
    await page.getByLabel('Password').fill('wrong')
    await page.getByRole('button', { name: 'Log in' }).click()
    await expect.poll(async () => await page.getByRole('alert').textContent()).toContain('401')

    await page.getByLabel('Password').fill('s3cret')
    await page.getByLabel('Password').press('Enter')
    await page.getByRole('heading', { name: /Peers/ }).waitFor()
    await page.locator('table.peers tbody tr').nth(1).waitFor()
    expect(await page.locator('table.peers tbody tr').count()).toBe(2)
    expect(tokenCalls).toEqual(['POST', 'POST'])
    const auth = await page.evaluate(() => sessionStorage.getItem('cluster-dashboard-auth'))
    expect(auth).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
    await screenshot(page, 'login-peers')

    // Polling stops while the tab is hidden and resumes at once when it shows again.
    let peerCalls = 0
    page.on('request', (r) => { if (r.url().endsWith('/peers')) peerCalls++ })
    const setHidden = async (hidden: boolean): Promise<void> => {
      await page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h })
        document.dispatchEvent(new Event('visibilitychange'))
      }, hidden)
    }
    await setHidden(true)
    await page.waitForTimeout(500) // a request already on its way may finish
    const before = peerCalls
    await page.waitForTimeout(4_000) // longer than the 3 s polling interval
    expect(peerCalls).toBe(before)
    await setHidden(false)
    await expect.poll(() => peerCalls).toBeGreaterThan(before)

    // The cluster failing a call: the view says what the API answered.
    cluster.failures.set('connectGraph', 'peerset unavailable')
    await page.getByRole('link', { name: 'Health graph' }).click()
    await expect.poll(async () => await page.getByRole('alert').textContent()).toContain('peerset unavailable')
    cluster.failures.delete('connectGraph')
    await page.locator('table.graph td.ok').first().waitFor()

    // Logging out forgets the token and asks again.
    await page.getByRole('button', { name: 'Log out' }).click()
    await page.getByRole('heading', { name: 'Log in to the cluster API' }).waitFor()
    await page.close()
  })

  it('explains a refusal for lack of turns (429)', async () => {
    // One upload holds the only turn of its class: the adder never finishes until aborted.
    cluster.adder = async function * (_upload, _params, signal) {
      await new Promise((resolve) => { signal?.addEventListener('abort', resolve, { once: true }) })
    }
    const held = new AbortController()
    const form = new FormData()
    form.append('file', new Blob(['held']), 'held.txt')
    const holding = fetch(`${url}/add`, { method: 'POST', body: form, headers: { Authorization: 'Basic ' + btoa('admin:s3cret') }, signal: held.signal }).catch(() => undefined)

    const page = await newPage(browser)
    await page.goto(`${url}/ui#/pins`)
    await page.getByLabel('User').fill('admin')
    await page.getByLabel('Password').fill('s3cret')
    await page.getByRole('button', { name: 'Log in' }).click()
    const addForm = page.getByRole('form', { name: 'Add a file' })
    await addForm.getByLabel('File').setInputFiles({ name: 'a.txt', mimeType: 'text/plain', buffer: Buffer.from('a') })
    await addForm.getByRole('button', { name: 'Add' }).click()
    await expect.poll(async () => await addForm.getByRole('alert').textContent()).toContain('The peer is busy (429 Too Many Requests)')
    held.abort()
    await holding
    cluster.adder = undefined
    await page.close()
  })

  it('says the peer does not answer once it is stopped', async () => {
    const page = await newPage(browser)
    await page.goto(`${url}/ui`)
    await page.getByLabel('User').fill('admin')
    await page.getByLabel('Password').fill('s3cret')
    await page.getByRole('button', { name: 'Log in' }).click()
    await page.locator('table.peers tbody tr').first().waitFor()
    await server.stop()
    await expect.poll(async () => await page.getByRole('alert').textContent(), { timeout: 15_000 }).toContain('does not answer')
    await screenshot(page, 'peer-down')
    await page.close()
  })
})

describe('dashboard switched off (the default)', () => {
  it('is not served: /ui is the API\'s JSON 404', async () => {
    const server = new RestApiServer(new FakeCluster(), { httpListenMultiaddress: ['/ip4/127.0.0.1/tcp/0'] })
    const { url } = await server.start()
    try {
      const res = await fetch(`${url}/ui`)
      expect(res.status).toBe(404)
      expect(await res.json()).toEqual({ code: 404, message: 'not found' })
    } finally { await server.stop() }
  })
})
