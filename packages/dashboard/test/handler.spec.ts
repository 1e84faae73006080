/** The static-file handler over a folder laid out as vite builds it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { dashboardHandler, isDashboardPath } from '../src/index.ts'

describe('dashboardHandler', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-files-'))
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('answers 503 with how to build while there is no build, then serves it once built', async () => {
    const serve = dashboardHandler(dir)
    const missing = serve('/ui')
    expect(missing.status).toBe(503)
    expect(await missing.text()).toContain('pnpm --filter @cluster/dashboard build')

    mkdirSync(join(dir, 'assets'))
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>t</title>')
    writeFileSync(join(dir, 'assets', 'index-abc.js'), 'console.log(1)')
    writeFileSync(join(dir, 'assets', 'index-abc.css'), 'body{}')
    const page = serve('/ui')
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('cache-control')).toBe('no-cache')
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await page.text()).toBe('<!doctype html><title>t</title>')
    const js = serve('/ui/assets/index-abc.js')
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(serve('/ui/assets/index-abc.css').headers.get('content-type')).toBe('text/css; charset=utf-8')
  })

  it('serves only the files of the build', () => {
    const serve = dashboardHandler(dir)
    for (const path of ['/ui/index.html', '/ui/assets', '/ui/assets/../index.html', '/ui/assets/%2e%2e/index.html', '/ui/nope.js', '/ui/../package.json']) {
      expect(serve(path).status, path).toBe(404)
    }
  })

  it('knows its paths', () => {
    expect(['/ui', '/ui/assets/x.js'].map(isDashboardPath)).toEqual([true, true])
    expect(['/uix', '/u', '/', '/pins'].map(isDashboardPath)).toEqual([false, false, false, false])
  })
})
