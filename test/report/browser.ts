// A real headless browser for the dashboard tests: Debian's chromium driven by puppeteer-core. Each page
// is checked for console errors and kept as a screenshot under .artifacts/dashboard/ (gitignored).
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { REPO } from '../support/cli.ts'

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
export const ARTIFACTS = join(REPO, '.artifacts', 'dashboard')

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `no chromium at ${CHROMIUM}: the dashboard is tested in a real browser (scripts/setup.sh installs Debian's chromium as root; or set CHROMIUM=/path)`,
    )
  mkdirSync(ARTIFACTS, { recursive: true })
  // --no-sandbox: the tests run as root, where chromium's sandbox refuses to start
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] })
}

/** Opens `url` and collects every console error and uncaught page error. */
export async function open(
  browser: Browser,
  url: string,
  o: { javascript?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage()
  await page.setViewport({ width: 1200, height: 900 })
  await page.setJavaScriptEnabled(o.javascript ?? true)
  const errors: string[] = []
  page.on('console', (m) => {
    // a failed resource's console line does not name it: say which
    if (m.type() === 'error') errors.push(`${m.text()}${m.location().url ? ` (${m.location().url})` : ''}`)
  })
  page.on('pageerror', (e) => errors.push(String(e)))
  page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`))
  await page.goto(url, { waitUntil: 'load' })
  return { page, errors }
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ARTIFACTS, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** The rows of the table `selector` as cell texts, each with the row's class. */
export function rows(page: Page, selector: string): Promise<{ cls: string; cells: string[] }[]> {
  return page.$$eval(`${selector} tbody tr`, (trs) =>
    trs.map((tr) => ({
      cls: tr.className,
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? ''),
    })),
  )
}
