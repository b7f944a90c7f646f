// `dsl plan` and `dsl apply` end to end through the real CLI, on the day-2 test fixture with 150 extra
// managed files (159 states), into a throw-away user and store: what a user waits for, against Salt's own
// run of the same built tree.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { masterlessMinionConfig } from '../compiler/salt/minion-config.ts'

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const fmt = (xs: number[]) =>
  `${(median(xs) / 1000).toFixed(2)} s  (${xs.map((x) => (x / 1000).toFixed(2)).join(' ')})`

export function operateCli(root: string, runs: number): void {
  const tmp = mkdtempSync(join(tmpdir(), 'bench-operate-cli-'))
  const user = `dsl${Math.random().toString(16).slice(2, 8)}`
  execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', user])
  try {
    const out = join(tmp, 'out')
    const env = (variant: string) => ({
      ...process.env,
      MACHINE_USER: user,
      MACHINE_ROOT: join(tmp, 'managed'),
      MACHINE_MANY: '150',
      MACHINE_VARIANT: variant,
      DSL_STATE_DIR: join(tmp, 'state'),
    })
    const dsl = (args: string[], variant = 'a') => {
      const t0 = performance.now()
      const r = spawnSync(
        process.execPath,
        [join(root, 'bin/dsl.js'), ...args, 'test/machine/fixture', '--out', out, '--no-typecheck'],
        { cwd: root, env: env(variant), encoding: 'utf8' },
      )
      if (r.status !== 0) throw new Error(`dsl ${args.join(' ')} exited ${r.status}: ${r.stderr}`)
      return performance.now() - t0
    }
    dsl(['apply', '--yes'])
    // Salt's own test=True of the same tree, with the minion config salt-dsl's runs use
    const conf = join(tmp, 'conf')
    execFileSync('mkdir', ['-p', conf])
    writeFileSync(
      join(conf, 'minion'),
      JSON.stringify(
        masterlessMinionConfig({
          fileRoot: join(out, 'salt'),
          pillarRoot: join(out, 'pillar'),
          root: join(tmp, 'root'),
        }),
      ),
    )
    const salt = () => {
      const t0 = performance.now()
      spawnSync(
        join(root, '.venv/bin/salt-call'),
        ['--local', '-c', conf, '--out=json', 'state.apply', 'test=True'],
        {
          env: env('a'),
        },
      )
      return performance.now() - t0
    }
    const converged: number[] = []
    const plans: number[] = []
    const salts: number[] = []
    for (let i = 0; i < runs; i++) {
      converged.push(dsl(['apply', '--yes']))
      plans.push(dsl(['plan']))
      salts.push(salt())
    }
    // one change at a time (the variant flips a dotfile and two files): the full apply always to b, --changed
    // always back to a, so each run finds the other variant applied
    const full: number[] = []
    const changed: number[] = []
    for (let i = 0; i < runs; i++) {
      full.push(dsl(['apply', '--yes'], 'b'))
      changed.push(dsl(['apply', '--yes', '--changed'], 'a'))
    }
    const m = (xs: number[]) => median(xs)
    console.log(`\nmachine fixture (159 states) through the CLI, ${runs} runs each, median (all runs)`)
    console.log(`  dsl apply --yes, converged           ${fmt(converged)}`)
    console.log(`  dsl plan, converged                  ${fmt(plans)}`)
    console.log(
      `  salt-call state.apply test=True      ${fmt(salts)}  → plan/salt ${(m(plans) / m(salts)).toFixed(2)}×`,
    )
    console.log(`  dsl apply --yes, one change          ${fmt(full)}`)
    console.log(
      `  dsl apply --yes --changed, one change ${fmt(changed)}  → ${(m(changed) / m(full)).toFixed(2)}× the full apply, ${(m(changed) / m(converged)).toFixed(2)}× a converged one`,
    )
  } finally {
    try {
      execFileSync('userdel', ['--remove', user], { stdio: 'ignore' })
    } catch {}
    rmSync(tmp, { recursive: true, force: true })
  }
}
