// The Python lock (scripts/requirements.lock) is what .venv holds: every installed package pinned there at
// the same version, every pin for this Python installed, every pin with its files' hashes. A lock that
// misses a package, or a venv that drifted from it, is what makes two clones test against different code.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const LOCK = join(REPO, 'scripts', 'requirements.lock')
const VENV_PYTHON = join(REPO, '.venv', 'bin', 'python')
/** The installer itself comes with the venv (the interpreter's own pip), not from the lock. */
const NOT_LOCKED = new Set(['pip'])

interface Pin {
  readonly name: string
  readonly version: string
  /** The environment marker after `;`, if the pin is for some Pythons or platforms only. */
  readonly marker: string | undefined
  readonly hashes: readonly string[]
  /** The requirement as written, for messages. */
  readonly text: string
}

/** PEP 503's normalised name: `PyYAML`, `zc.lockfile` and `typing_extensions` as pip freeze and the lock spell them alike. */
const canonical = (name: string) => name.toLowerCase().replace(/[-_.]+/g, '-')

/** The lock's requirements (continuation lines joined, comments dropped), and any line that is not a hashed pin. */
function readLock(text: string): { pins: Pin[]; malformed: string[] } {
  const pins: Pin[] = []
  const malformed: string[] = []
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean)
  for (const requirement of logical) {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)\s*(?:;\s*(.*?))?\s*((?:--hash=\S+\s*)*)$/.exec(
      requirement,
    )
    const hashes = [...(m?.[4] ?? '').matchAll(/--hash=(\S+)/g)].map((h) => h[1]!)
    if (!m || hashes.length === 0 || hashes.some((h) => !/^sha256:[0-9a-f]{64}$/.test(h))) {
      malformed.push(requirement.slice(0, 160))
      continue
    }
    pins.push({
      name: canonical(m[1]!),
      version: m[2]!,
      marker: m[3] || undefined,
      hashes,
      text: requirement,
    })
  }
  return { pins, malformed }
}

/** Evaluates each marker for the venv's own Python and platform, with the `packaging` the lock installs. */
function markersHold(markers: readonly string[]): boolean[] {
  const script =
    'import json, sys\nfrom packaging.markers import Marker\nprint(json.dumps([Marker(m).evaluate() for m in json.load(sys.stdin)]))'
  return JSON.parse(
    execFileSync(VENV_PYTHON, ['-c', script], { input: JSON.stringify(markers), encoding: 'utf8' }),
  )
}

function venvPython(): string {
  if (!existsSync(VENV_PYTHON))
    throw new Error(`Salt is not installed: run bash scripts/setup.sh (${VENV_PYTHON} is missing)`)
  return VENV_PYTHON
}

describe('the Python lock', () => {
  const { pins, malformed } = readLock(readFileSync(LOCK, 'utf8'))

  it('pins every requirement to one version with the sha256 of its files', () => {
    expect(malformed).toEqual([])
    expect(pins.map((p) => p.name)).toContain('salt')
    // one pin per package and environment: two pins of a name only under markers that tell them apart
    const unconditional = pins.filter((p) => p.marker === undefined).map((p) => p.name)
    expect(unconditional.filter((n, i) => unconditional.indexOf(n) !== i)).toEqual([])
  })

  it('is what .venv holds: every installed package at its locked version, every pin for this Python installed', () => {
    // GIVEN what pip freeze reports in the venv setup made, and the pins whose markers hold for its Python
    const frozen = execFileSync(
      venvPython(),
      ['-m', 'pip', 'freeze', '--all', '--disable-pip-version-check'],
      {
        encoding: 'utf8',
      },
    )
    const installed = new Map<string, string>()
    for (const line of frozen.split('\n').filter(Boolean)) {
      const m = /^([^=\s]+)==(\S+)$/.exec(line.trim())
      expect(
        m,
        `pip freeze printed '${line}', not name==version (a package installed from elsewhere)`,
      ).not.toBeNull()
      if (!NOT_LOCKED.has(canonical(m![1]!))) installed.set(canonical(m![1]!), m![2]!)
    }
    const conditional = pins.filter((p) => p.marker !== undefined)
    const holds = markersHold(conditional.map((p) => p.marker!))
    const applies = (p: Pin) => p.marker === undefined || holds[conditional.indexOf(p)] === true
    const forThisPython = new Map(pins.filter(applies).map((p) => [p.name, p.version]))
    // THEN the two are the same set of name==version
    const missingFromLock = [...installed]
      .filter(([n, v]) => forThisPython.get(n) !== v)
      .map(([n, v]) => `${n}==${v}`)
    const notInstalled = [...forThisPython]
      .filter(([n, v]) => installed.get(n) !== v)
      .map(([n, v]) => `${n}==${v}`)
    expect(missingFromLock, 'installed in .venv but not so in the lock').toEqual([])
    expect(notInstalled, 'pinned for this Python but not installed in .venv').toEqual([])
    expect(installed.size).toBeGreaterThan(50)
  })

  it('is the lock .venv was installed from (setup records its sha256 there and rebuilds .venv when it changes)', () => {
    venvPython()
    const stamp = join(REPO, '.venv', 'salt-dsl-lock')
    const sha = createHash('sha256').update(readFileSync(LOCK)).digest('hex')
    expect(existsSync(stamp), `${stamp} is missing: run bash scripts/setup.sh`).toBe(true)
    expect(readFileSync(stamp, 'utf8')).toContain(`lock sha256 ${sha} `)
  })
})
