/**
 * The dashboard of a 3-peer local cluster (real daemons, a real Kubo each) in headless Chromium:
 * the peers, pinning from the page until the allocations have it, finding one pin by name among
 * 10,000 with paging, unpin's confirmation, keyboard use and labels, and a killed peer shown
 * down with its alert. One cluster for the file; the kill comes last.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import { CID } from '@cluster/api'
import { until } from '@cluster/test-utils'
import { LocalCluster, type LocalPeer } from '../../../apps/service/dev/local-cluster.ts'
import { ensureBuilt, focused, launch, newPage, screenshot, unlabelledControls } from './browser.ts'

/** Identity CIDs: Kubo pins them at once, with no block to fetch. */
function identityCid (text: string): string {
  const bytes = new TextEncoder().encode(text)
  return CID.decode(Uint8Array.from([0x01, 0x55, 0x00, bytes.length, ...bytes])).toString()
}

const SEEDED = 10_000
const seedName = (i: number): string => `seed-${String(i).padStart(5, '0')}`

describe('dashboard of a 3-peer local cluster', () => {
  let base: string
  let cluster: LocalCluster
  let p0: LocalPeer
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    ensureBuilt()
    base = mkdtempSync(join(tmpdir(), 'dashboard-'))
    cluster = new LocalCluster({
      base,
      peers: 3,
      // As the README tells `npm start` users (the file key is covered by the config tests).
      env: { CLUSTER_RESTAPI_DASHBOARD: 'true' },
      configure: (c) => {
        c.cluster.monitor_ping_interval = '1s'
        c.monitor.pubsubmon.check_interval = '1s'
      }
    })
    await cluster.start()
    p0 = cluster.peers[0] as LocalPeer
    await until(async () => {
      const metrics = await (await fetch(`${p0.restUrl}/monitor/metrics/freespace`)).json() as unknown[]
      return metrics.length === 3 ? true : undefined
    }, 'freespace metrics of every peer')
    // The pinset: 10,000 pins in one batch request, one allocation each.
    const items = Array.from({ length: SEEDED }, (_, i) => ({ cid: identityCid(seedName(i)), name: seedName(i), 'replication-min': 1, 'replication-max': 1 }))
    const seeded = await fetch(`${p0.restUrl}/pins`, { method: 'POST', body: JSON.stringify(items), headers: { 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(120_000) })
    expect(seeded.status).toBe(200)
    expect((await seeded.text()).includes('"error"')).toBe(false)
    browser = await launch()
    page = await newPage(browser)
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await cluster?.stop()
    if (base !== undefined && process.env.KEEP_TEST_DIRS === undefined) rmSync(base, { recursive: true, force: true })
  }, 60_000)

  const row = (text: string) => page.locator('table.pins tbody tr', { hasText: text })

  it('lists the 3 peers with their Kubo and metrics', async () => {
    await page.goto(`${p0.restUrl}/ui`)
    await expect.poll(async () => await page.locator('table.peers tbody tr').count()).toBe(3)
    for (const peer of cluster.peers) {
      const tr = page.locator(`table.peers tr[data-peer="${peer.id}"]`)
      await expect.poll(async () => await tr.textContent()).toContain(`peer${peer.index}`)
      expect(await tr.locator('.badge.ok').count()).toBe(2) // up, Kubo ok
    }
    await expect.poll(async () => await page.locator('table.peers').textContent()).toMatch(/\d+\.\d (GiB|MiB|TiB)/)
    expect(await unlabelledControls(page)).toEqual([])
    await screenshot(page, 'peers')

    await page.getByRole('link', { name: 'Health graph' }).click()
    await expect.poll(async () => await page.locator('table.graph td.ok').count()).toBe(6)
    await screenshot(page, 'health-graph')
  })

  it('pins a CID from the page and shows it pinned on its 2 allocations', async () => {
    const form = new FormData()
    form.append('file', new Blob([`dashboard pin ${Date.now()}`]))
    const { Key: cid } = await cluster.peers[1]!.kubo!.rpc<{ Key: string }>('block/put', { 'cid-codec': 'raw' }, form)
    await page.getByRole('link', { name: 'Pins' }).click()
    const pinForm = page.getByRole('form', { name: 'Pin a CID' })
    await pinForm.getByLabel('CID').fill(cid)
    await pinForm.getByLabel('Name').fill('from-the-ui')
    await pinForm.getByLabel('Replication min').fill('2')
    await pinForm.getByLabel('Replication max').fill('2')
    await pinForm.getByLabel('Metadata').fill('origin=dashboard')
    await pinForm.getByRole('button', { name: 'Pin' }).click()
    await expect.poll(async () => await pinForm.getByRole('status').textContent()).toBe(`Pinned ${cid}.`)

    const search = page.getByRole('search', { name: 'Filter pins' })
    await search.getByLabel('How the name matches').selectOption('name')
    await search.getByLabel('Pin name').fill('from-the-ui')
    await search.getByRole('button', { name: 'Search' }).click()
    await expect.poll(async () => await row('from-the-ui').locator('.badge.ok').count(), { timeout: 30_000 }).toBe(2)
    expect(await page.locator('table.pins tbody tr').count()).toBe(1)

    // Its detail: options, metadata and each peer's status.
    await row('from-the-ui').getByRole('link').click()
    await page.getByRole('heading', { name: /^Pin / }).waitFor()
    await expect.poll(async () => await page.locator('dl.options').first().textContent()).toContain('min 2, max 2')
    expect(await page.locator('dl.options').nth(1).textContent()).toContain('origindashboard')
    await expect.poll(async () => await page.locator('table.statuses .badge.ok').count()).toBe(2)
    await screenshot(page, 'pin-detail')

    // Recover from the detail page: the API accepts it and the page reports no error.
    const recovered = page.waitForResponse(r => r.url().endsWith(`/pins/${cid}/recover`))
    await page.getByRole('button', { name: 'Recover' }).click()
    expect((await recovered).status()).toBe(200)
    expect(await page.getByRole('alert').count()).toBe(0)
  })

  it('adds a file from the page and pins it', async () => {
    await page.goto(`${p0.restUrl}/ui#/pins`)
    const addForm = page.getByRole('form', { name: 'Add a file' })
    await addForm.getByLabel('File').setInputFiles({ name: 'hello.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1 << 20, 7) })
    await addForm.getByLabel('Name').fill('added-file')
    // The progress bar shows while the upload runs: record the largest value it reached.
    await page.evaluate(() => {
      const w = window as unknown as { maxProgress: number }
      w.maxProgress = -1
      new MutationObserver(() => {
        const bar = document.querySelector('form progress') as HTMLProgressElement | null
        if (bar !== null) w.maxProgress = Math.max(w.maxProgress, bar.value)
      }).observe(document.body, { subtree: true, childList: true, attributes: true })
    })
    await addForm.getByRole('button', { name: 'Add' }).click()
    await expect.poll(async () => await addForm.getByRole('status').textContent()).toMatch(/^Added hello\.bin: \w+$/)
    expect(await page.evaluate(() => (window as unknown as { maxProgress: number }).maxProgress)).toBeGreaterThan(0)
    const cid = (await addForm.getByRole('status').textContent() ?? '').split(': ')[1] ?? ''
    const pin = await (await fetch(`${p0.restUrl}/allocations/${cid}`)).json() as { name: string }
    expect(pin.name).toBe('added-file')
  })

  it(`finds a pin by name among ${SEEDED} and pages through the rest`, async () => {
    await page.goto(`${p0.restUrl}/ui#/pins`)
    const search = page.getByRole('search', { name: 'Filter pins' })
    await search.getByLabel('How the name matches').selectOption('name-contains')
    await search.getByLabel('Pin name').fill('seed-07777')
    await search.getByLabel('Pin name').press('Enter')
    await expect.poll(async () => await page.locator('table.pins tbody tr').count()).toBe(1)
    expect(await row('seed-07777').getAttribute('data-cid')).toBe(identityCid('seed-07777'))
    await search.getByLabel('How the name matches').selectOption('name-prefix')
    await search.getByLabel('Pin name').fill('seed-0777')
    await search.getByLabel('Pin name').press('Enter')
    await expect.poll(async () => await page.locator('table.pins tbody tr').count()).toBe(10)
    expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).toBe(true)
    await screenshot(page, 'pins-filtered')

    await search.getByLabel('Pin name').fill('seed-')
    await search.getByLabel('Pin name').press('Enter')
    await expect.poll(async () => await page.locator('table.pins tbody tr').count()).toBe(50)
    const first = await page.locator('table.pins tbody tr').first().getAttribute('data-cid')
    await page.getByRole('button', { name: 'Next page' }).click()
    await page.getByText('Page 2').waitFor()
    await expect.poll(async () => await page.locator('table.pins tbody tr').first().getAttribute('data-cid')).not.toBe(first)
    expect(await page.locator('table.pins tbody tr').count()).toBe(50)
    await page.getByRole('button', { name: 'Previous page' }).click()
    await expect.poll(async () => await page.locator('table.pins tbody tr').first().getAttribute('data-cid')).toBe(first)
    expect(await unlabelledControls(page)).toEqual([])
    await screenshot(page, 'pins')
  })

  it('reaches the main actions with the keyboard; unpin asks first', async () => {
    await page.goto(`${p0.restUrl}/ui`)
    await page.locator('table.peers tbody tr').first().waitFor()
    await page.keyboard.press('Tab')
    expect(await focused(page)).toEqual({ tag: 'a', text: 'Peers' })
    await page.keyboard.press('Tab')
    await page.keyboard.press('Tab')
    expect(await focused(page)).toEqual({ tag: 'a', text: 'Pins' })
    await page.keyboard.press('Enter')
    await page.getByRole('search', { name: 'Filter pins' }).waitFor()
    await page.keyboard.press('Tab') // name match
    await page.keyboard.press('Tab') // name
    expect(await focused(page)).toEqual({ tag: 'input', text: 'Pin name' })
    await page.keyboard.type('seed-00042')
    await page.keyboard.press('Enter')
    await expect.poll(async () => await page.locator('table.pins tbody tr').count()).toBe(1)

    // Unpin: the dialog takes the focus; Escape cancels and nothing is unpinned.
    const cid = identityCid('seed-00042')
    await row('seed-00042').getByRole('button', { name: 'Unpin seed-00042' }).focus()
    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain(`Unpin ${cid} from the cluster?`)
    expect(await focused(page)).toEqual({ tag: 'button', text: 'Cancel' })
    await screenshot(page, 'unpin-confirmation')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect((await fetch(`${p0.restUrl}/allocations/${cid}`)).status).toBe(200)

    // Confirmed: the pin leaves the pinset and the list.
    await row('seed-00042').getByRole('button', { name: 'Unpin seed-00042' }).click()
    await dialog.getByRole('button', { name: 'Unpin' }).click()
    await until(async () => (await fetch(`${p0.restUrl}/allocations/${cid}`)).status === 404 ? true : undefined, 'the pin is gone', 20_000)
    await expect.poll(async () => await page.locator('table.pins tbody tr').count()).toBe(0)
  })

  it('shows a killed peer down, with its alert', async () => {
    const victim = cluster.peers[2] as LocalPeer
    await page.goto(`${p0.restUrl}/ui#/peers`)
    await expect.poll(async () => await page.locator('table.peers tbody tr').count()).toBe(3)
    // Alerts from before (pings late while the pinset was seeded) do not count.
    const killedAt = Date.now()
    await cluster.kill(2)
    const tr = page.locator(`table.peers tr[data-peer="${victim.id}"]`)
    await expect.poll(async () => await tr.locator('.badge.bad').textContent(), { timeout: 30_000 }).toBe('down')
    expect(await tr.textContent()).toContain('peer2')
    const newAlert = async (): Promise<string | undefined> => {
      for (const li of await page.locator(`ul.alerts li[data-peer="${victim.id}"]`).all()) {
        if (Date.parse(await li.getAttribute('data-triggered') ?? '') > killedAt) return await li.textContent() ?? ''
      }
      return undefined
    }
    await expect.poll(newAlert, { timeout: 30_000 }).toContain('metric of peer2 expired')
    await screenshot(page, 'peer-killed')
  })
})
