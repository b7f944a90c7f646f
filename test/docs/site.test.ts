// The docs site: VitePress builds docs/ into a temp dir (a dead link fails the build), and a real headless
// Chromium opens every page: no console error, every internal link and anchor resolves, search finds a page.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize, relative } from 'node:path'
import type { Browser } from 'puppeteer-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launch, open } from '../report/browser.ts'
import { REPO, tempDir } from '../support/cli.ts'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
}

/** A static server of the built site on 127.0.0.1 (VitePress pages are `<name>.html`). */
function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    let file = normalize(join(root, path))
    if (!file.startsWith(root)) return void res.writeHead(403).end()
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html')
    if (!existsSync(file) && existsSync(`${file}.html`)) file = `${file}.html`
    if (!existsSync(file)) return void res.writeHead(404).end('not found')
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' })
    res.end(readFileSync(file))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

function pages(root: string): string[] {
  const found: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name)
      if (e.isDirectory() && e.name !== 'assets') walk(path)
      else if (e.name.endsWith('.html') && e.name !== '404.html') found.push(`/${relative(root, path)}`)
    }
  }
  walk(root)
  return found.sort()
}

describe('the docs site', () => {
  let site = ''
  let server: Server
  let base = ''
  let browser: Browser

  beforeAll(async () => {
    site = join(tempDir('salt-dsl-site-'), 'site')
    const build = spawnSync(
      process.execPath,
      [join(REPO, 'node_modules', 'vitepress', 'bin', 'vitepress.js'), 'build', 'docs', '--outDir', site],
      { cwd: REPO, encoding: 'utf8' },
    )
    if (build.status !== 0) throw new Error(`vitepress build failed:\n${build.stdout}${build.stderr}`)
    server = await serve(site)
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    browser = await launch()
  }, 300_000)

  afterAll(async () => {
    await browser?.close()
    server?.close()
  })

  it('has a page for every Markdown file of docs/', () => {
    const built = new Set(pages(site))
    const missing: string[] = []
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name.startsWith('.')) continue
        const path = join(dir, e.name)
        if (e.isDirectory()) walk(path)
        else if (e.name.endsWith('.md')) {
          const page = `/${relative(join(REPO, 'docs'), path).replace(/\.md$/, '.html')}`
          if (!built.has(page)) missing.push(page)
        }
      }
    }
    walk(join(REPO, 'docs'))
    expect(missing).toEqual([])
  })

  it('loads every page with no console error, and every internal link and anchor resolves', async () => {
    const problems: string[] = []
    const anchors = new Map<string, Set<string>>()
    const links: { from: string; href: string }[] = []
    for (const path of pages(site)) {
      const { page, errors } = await open(browser, `${base}${path}`)
      for (const e of errors) problems.push(`${path}: ${e}`)
      // a string, evaluated in the page (the tests' TypeScript has no DOM types)
      const found = (await page.evaluate(`({
        ids: [...document.querySelectorAll('[id]')].map((e) => e.id),
        hrefs: [...document.querySelectorAll('.vp-doc a[href], .VPSidebar a[href]')].map((a) => a.href),
      })`)) as { ids: string[]; hrefs: string[] }
      anchors.set(path, new Set(found.ids))
      for (const href of found.hrefs) if (href.startsWith(base)) links.push({ from: path, href })
      await page.close()
    }
    for (const { from, href } of links) {
      const url = new URL(href)
      let target = url.pathname.endsWith('/') ? `${url.pathname}index.html` : url.pathname
      if (!target.endsWith('.html')) target = `${target}.html`
      const ids = anchors.get(target)
      if (!ids) problems.push(`${from}: link to ${href}: no such page`)
      else if (url.hash && !ids.has(decodeURIComponent(url.hash.slice(1))))
        problems.push(`${from}: link to ${href}: no such anchor`)
    }
    expect(links.length).toBeGreaterThan(50)
    expect(problems).toEqual([])
  }, 300_000)

  it('finds a page by searching', async () => {
    const { page, errors } = await open(browser, `${base}/index.html`)
    await page.click('.DocSearch-Button, .VPNavBarSearchButton, button[aria-label="Search"]')
    await page.waitForSelector('input.search-input, #localsearch-input')
    await page.type('input.search-input, #localsearch-input', 'rollback generation')
    await page.waitForFunction(
      `[...document.querySelectorAll('.result a, .results a')].some((a) => /operating/.test(a.href))`,
      { timeout: 30_000 },
    )
    expect(errors, errors.join('\n')).toEqual([])
    await page.close()
  }, 120_000)
})
