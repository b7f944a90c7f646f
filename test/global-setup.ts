import { execFileSync } from 'node:child_process'

/** The CLI tests run the real `dsl` binary: bundle it once per test run. */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/bundle.js'], { stdio: 'inherit' })
}
