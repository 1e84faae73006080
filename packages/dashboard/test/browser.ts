/**
 * Headless Chromium for the browser tests: Debian's `chromium` package (installed by
 * scripts/setup.sh) driven by playwright-core, so no browser is downloaded. Screenshots go to
 * packages/dashboard/screenshots/ (ignored by git).
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { chromium, type Browser, type Page } from 'playwright-core'
import { DASHBOARD_DIR } from '../src/index.ts'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const SCREENSHOTS = join(import.meta.dirname, '..', 'screenshots')
/** Every wait on the page is bounded by this. */
export const WAIT_MS = 20_000

/** Builds the app when the tests run on a fresh checkout (vite, ~3 s). */
export function ensureBuilt (): void {
  if (existsSync(join(DASHBOARD_DIR, 'index.html'))) return
  execFileSync('pnpm', ['run', 'build'], { cwd: join(import.meta.dirname, '..'), stdio: 'inherit' })
}

export async function launch (): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/setup.sh (it installs Debian's chromium)`)
  // Chromium's sandbox needs user namespaces that containers (and root) often lack.
  return await chromium.launch({ executablePath: CHROMIUM, headless: true, chromiumSandbox: false })
}

export async function newPage (browser: Browser): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  page.setDefaultTimeout(WAIT_MS)
  return page
}

export async function screenshot (page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true })
  const path = join(SCREENSHOTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** The accessible name of the focused element, with its tag (keyboard navigation checks). */
export async function focused (page: Page): Promise<{ tag: string, text: string }> {
  return await page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    return { tag: el?.tagName.toLowerCase() ?? '', text: (el?.getAttribute('aria-label') ?? el?.textContent ?? '').trim() }
  })
}

/** Form controls without a label (an enclosing <label>, aria-label or aria-labelledby). */
export async function unlabelledControls (page: Page): Promise<string[]> {
  return await page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => {
      const e = el as HTMLInputElement
      if (e.type === 'hidden') return false
      const named = e.getAttribute('aria-label') ?? e.getAttribute('aria-labelledby') ?? ''
      const text = e.tagName === 'BUTTON' ? (e.textContent ?? '').trim() : ''
      return named === '' && text === '' && (e.labels === null || e.labels.length === 0)
    })
    .map(e => e.outerHTML.slice(0, 120)))
}
