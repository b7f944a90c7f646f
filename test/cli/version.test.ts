// dsl --version reads the versions from files: package.json, the lock's pinned Salt and the dist-info
// of the Salt installed in the venv found from the working directory.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }
const pinned = /^salt==([^\s;]+)/m.exec(readFileSync(join(REPO, 'scripts/requirements.lock'), 'utf8'))![1]!

describe('dsl --version', () => {
  it("names salt-dsl's version, the pinned Salt, that the venv's matches, and Node's", () => {
    const run = dsl(['--version'])
    expect(run.status).toBe(0)
    expect(run.stdout).toBe(
      `salt-dsl ${pkg.version}\nSalt     ${pinned} pinned; ${pinned} in ${join(REPO, '.venv')} (matches)\nNode.js  ${process.version}\n`,
    )
    expect(dsl(['version']).stdout).toBe(run.stdout)
    expect(JSON.parse(dsl(['version', '--format', 'json']).stdout)).toMatchObject({
      saltDsl: pkg.version,
      saltPinned: pinned,
      saltInstalled: pinned,
      saltMatches: true,
    })
  })

  it("says so when the project's venv holds another Salt", () => {
    const project = tempDir('salt-dsl-version-')
    mkdirSync(join(project, '.venv', 'bin'), { recursive: true })
    for (const exe of ['python', 'salt-call']) writeFileSync(join(project, '.venv', 'bin', exe), '')
    mkdirSync(join(project, '.venv', 'lib', 'python3.11', 'site-packages', 'salt-3006.9.dist-info'), {
      recursive: true,
    })
    const run = dsl(['--version'], {}, project)
    expect(run.stdout).toContain(
      `Salt     ${pinned} pinned; 3006.9 in ${join(project, '.venv')} (does NOT match the pinned ${pinned}`,
    )
  })
})
