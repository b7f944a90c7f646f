// Salt runs with `lazy_loader_strict_matching` wherever salt-dsl starts it (a lookup miss then no longer
// imports every module: 0.6 s of each run), but only where that finds every module: each one Salt ships,
// and the tree's own custom modules.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeMinionConfig } from '../../compiler/salt/minion-config.ts'
import { saltCall } from '../../compiler/salt/salt-call.ts'
import { declaredNames, strictMatchingSafe } from '../../compiler/salt/strict-loader.ts'
import { tempDir } from '../support/cli.ts'
import { saltCallPath } from '../support/salt.ts'

const python = join(dirname(saltCallPath()), 'python3')
const saltPackage = join(dirname(saltCallPath()), '..', 'lib')

/** The `salt` package of the pinned install. */
function saltDir(): string {
  const lib = readdirSync(saltPackage).find((n) => n.startsWith('python3'))!
  return join(saltPackage, lib, 'site-packages', 'salt')
}

/** A tree with one custom execution module `_modules/<file>.py` that calls itself `name`. */
function treeWithModule(file: string, name: string): string {
  const root = tempDir('salt-dsl-strict-')
  mkdirSync(join(root, 'salt', '_modules'), { recursive: true })
  mkdirSync(join(root, 'pillar'))
  writeFileSync(
    join(root, 'salt', '_modules', `${file}.py`),
    `__virtualname__ = "${name}"\n\ndef __virtual__():\n    return __virtualname__\n\ndef hello():\n    return "hi"\n`,
  )
  writeFileSync(join(root, 'salt', 'top.sls'), 'base:\n  "*":\n    - t\n')
  writeFileSync(
    join(root, 'salt', 't.sls'),
    `t:\n  module.run:\n    - ${name}.hello: []\n    - onlyif: "true"\n`,
  )
  return root
}

async function applyTree(root: string, options: Record<string, unknown> = {}) {
  const conf = writeMinionConfig(join(root, 'conf'), {
    id: 'strict',
    fileRoot: join(root, 'salt'),
    pillarRoot: join(root, 'pillar'),
    root: join(root, 'root'),
    options,
  })
  const run = await saltCall({ python, confDir: dirname(conf), fun: 'state.apply' })
  const states = Object.values((run.data ?? {}) as Record<string, { result: boolean; comment: string }>)
  return { conf, states }
}

describe('the strict module loader', () => {
  it('finds every module the pinned Salt ships under its own file name', () => {
    const misnamed: string[] = []
    let checked = 0
    for (const kind of ['modules', 'states', 'grains', 'utils', 'renderers', 'returners', 'serializers']) {
      for (const entry of readdirSync(join(saltDir(), kind))) {
        if (!entry.endsWith('.py') || entry.startsWith('win')) continue // never loaded on our platforms
        checked++
        const base = entry.slice(0, -3)
        for (const name of declaredNames(join(saltDir(), kind, entry)))
          if (!base.includes(name)) misnamed.push(`${kind}/${entry}: ${name}`)
      }
    }
    expect(checked).toBeGreaterThan(500)
    expect(misnamed).toEqual([])
  })

  it('is on for a tree whose custom modules are named as they call themselves', async () => {
    const root = treeWithModule('dsl_hello', 'hello')
    expect(strictMatchingSafe(join(root, 'salt'))).toBe(true)
    const { conf, states } = await applyTree(root)
    expect(JSON.parse(readFileSync(conf, 'utf8')).lazy_loader_strict_matching).toBe(true)
    expect(states.map((s) => s.result)).toEqual([true])
  })

  it('stays off for a custom module the strict loader would not find, which then still runs', async () => {
    const root = treeWithModule('odd', 'thing')
    expect(strictMatchingSafe(join(root, 'salt'))).toBe(false)
    const { conf, states } = await applyTree(root)
    expect(JSON.parse(readFileSync(conf, 'utf8')).lazy_loader_strict_matching).toBe(undefined)
    expect(states.map((s) => s.result)).toEqual([true])
    // forced on, Salt does not find it: the reason for the check
    const forced = await applyTree(root, { lazy_loader_strict_matching: true })
    expect(forced.states.map((s) => s.result)).toEqual([false])
  }, 60_000)
})
