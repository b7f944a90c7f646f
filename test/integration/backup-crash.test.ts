// A dotfile's backup survives salt-call being killed at the worst moment: whatever the instant, the
// user's original is either untouched in place or complete in <file>.pre-dsl, with its owner and mode,
// never root's, never readable by others, never half-written; and the next apply completes it.
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import {
  chownSync,
  existsSync,
  type FSWatcher,
  lstatSync,
  mkdirSync,
  readFileSync,
  rmSync,
  watch,
  writeFileSync,
} from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { masterlessMinionConfig } from '../../compiler/salt/minion-config.ts'
import { failed, throwawayUser } from '../support/apply.ts'
import { dsl, tempDir } from '../support/cli.ts'
import { type MinionSpec, SaltOracle, saltCallPath } from '../support/salt.ts'

/** The dotfiles of one trial: four at once, so each kill lands in a different phase for some of them. */
const FILES = ['.gitconfig', '.ssh/config', '.config/app/settings.conf', ".odd name 'q' $(x)"]
const TRIALS = Number(process.env.CRASH_TRIALS ?? 20)
const SUFFIX = '.pre-dsl'

interface Original {
  readonly bytes: Buffer
  readonly mode: number
}

const managed = (name: string) => `managed ${name}\n`

/** A config of the four dotfiles for `user`, written as a project of its own and built with the CLI. */
function buildCrashConfig(user: string): MinionSpec {
  const dir = tempDir('salt-dsl-crash-config-')
  const calls = FILES.map(
    (f) => `  dotfile(${JSON.stringify(f)}, { user, contents: ${JSON.stringify(managed(f))} })`,
  )
  writeFileSync(
    join(dir, 'index.ts'),
    [
      "import { dotfile, sls, top } from 'salt-dsl'",
      `const user = ${JSON.stringify(user)}`,
      "const files = sls('crash', () => {",
      ...calls,
      '})',
      "top('*', [files])",
      '',
    ].join('\n'),
  )
  const out = join(dir, 'out')
  const run = dsl(['build', dir, '--out', out])
  expect(run.status, run.stderr).toBe(0)
  return { id: 'crash', fileRoot: join(out, 'salt'), pillarRoot: join(out, 'pillar') }
}

/** One throw-away user with the config built for it: trials run in two lanes at once, one user each. */
interface Lane {
  readonly user: ReturnType<typeof throwawayUser>
  readonly uid: number
  readonly gid: number
  readonly spec: MinionSpec
  /** The minion config of the killed runs (each run gets its own cache). */
  readonly conf: string
}

function makeLane(): Lane {
  const user = throwawayUser()
  const spec = buildCrashConfig(user.name)
  const root = tempDir('salt-dsl-crash-minion-')
  const conf = join(root, 'conf')
  mkdirSync(conf)
  writeFileSync(
    join(conf, 'minion'),
    JSON.stringify(masterlessMinionConfig({ ...spec, root: join(root, 'root') })),
  )
  const { uid, gid } = lstatSync(user.home)
  return { user, uid, gid, spec, conf }
}

const at = (lane: Lane, f: string) => join(lane.user.home, f)

/** Fresh originals owned by the user, each with its own mode and bytes (a token, binary, no newline). */
function plantOriginals(lane: Lane, trial: number): Map<string, Original> {
  const path = (f: string) => at(lane, f)
  const originals = new Map<string, Original>()
  FILES.forEach((f, i) => {
    for (const p of [path(f), path(f + SUFFIX), path(`${f}${SUFFIX}.tmp`)]) rmSync(p, { force: true })
    mkdirSync(dirname(path(f)), { recursive: true, mode: 0o700 })
    for (let d = dirname(f); d !== '.'; d = dirname(d)) chownSync(path(d), lane.uid, lane.gid)
    const bytes = Buffer.concat([
      Buffer.from(`# ${f} of trial ${trial}\ntoken = ghp_${randomBytes(12).toString('hex')}\n`),
      randomBytes(64 + 997 * trial),
    ])
    const mode = [0o600, 0o640, 0o644, 0o400][(trial + i) % 4]!
    writeFileSync(path(f), bytes, { mode })
    chownSync(path(f), lane.uid, lane.gid)
    originals.set(f, { bytes, mode })
  })
  return originals
}

/** A real salt-call in its own process group, killed with SIGKILL as soon as a backup file appears. */
async function applyAndKill(lane: Lane, delayMs: number): Promise<{ killed: boolean }> {
  const cache = tempDir('salt-dsl-crash-cache-')
  const child: ChildProcess = spawn(
    saltCallPath(),
    ['--local', '-c', lane.conf, '--cachedir', cache, '--out=quiet', 'state.apply'],
    { detached: true, stdio: 'ignore', env: { ...process.env, TMPDIR: cache } },
  )
  let killed = false
  const kill = () => {
    if (killed || child.exitCode !== null || child.pid === undefined) return
    killed = true
    try {
      process.kill(-child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  const watchers: FSWatcher[] = [...new Set(FILES.map((f) => dirname(at(lane, f))))].map((d) =>
    watch(d, (_event, name) => {
      if (name !== null && String(name).includes(SUFFIX)) {
        if (delayMs === 0) kill()
        else setTimeout(kill, delayMs)
      }
    }),
  )
  await new Promise<void>((resolve) => child.once('exit', () => resolve()))
  for (const w of watchers) w.close()
  return { killed }
}

/** The original is recoverable: in place untouched, or complete in the backup; no backup is partial. */
function expectRecoverable(lane: Lane, originals: Map<string, Original>, label: string): void {
  for (const [f, o] of originals) {
    const where = `${label} ${f}`
    const same = (p: string) => {
      if (!existsSync(p)) return false
      const st = lstatSync(p)
      return readFileSync(p).equals(o.bytes) && (st.mode & 0o7777) === o.mode && st.uid === lane.uid
    }
    const backup = at(lane, f + SUFFIX)
    // a backup, once it exists under its name, is the whole original with its owner and mode
    if (existsSync(backup)) expect(same(backup), `${where}: ${SUFFIX} is complete`).toBe(true)
    expect(same(at(lane, f)) || same(backup), `${where}: the original is recoverable`).toBe(true)
    // a temp copy is the user's and private from its first byte
    const tmp = at(lane, `${f}${SUFFIX}.tmp`)
    if (existsSync(tmp)) {
      const st = lstatSync(tmp)
      expect(st.uid, `${where}: temp owner`).toBe(lane.uid)
      expect(st.mode & 0o077 & ~o.mode, `${where}: temp mode`).toBe(0)
    }
  }
}

describe('dotfile backups under kill -9 of salt-call (as root, into throw-away users)', () => {
  let lanes: Lane[]
  let oracle: SaltOracle

  beforeAll(async () => {
    lanes = [makeLane(), makeLane()]
    oracle = await SaltOracle.start()
  })
  afterAll(async () => {
    for (const lane of lanes ?? []) lane.user.remove()
    await oracle?.close()
  })

  it(`${TRIALS} kills at the instant a backup appears: the original is never lost or exposed`, async () => {
    let kills = 0
    // two lanes at once (a user each): while one salt-call starts, the other is being killed or re-applied
    const runLane = async (lane: Lane, first: number) => {
      for (let trial = first; trial < TRIALS; trial += lanes.length) {
        // GIVEN the user's own files, about to be replaced
        const originals = plantOriginals(lane, trial)
        // WHEN salt-call is killed (-9, its whole process group) as a backup or its temp appears
        const { killed } = await applyAndKill(lane, [0, 0, 1, 3, 10][trial % 5]!)
        if (killed) kills++
        // THEN every original is still whole somewhere, and no backup is partial
        expectRecoverable(lane, originals, `trial ${trial}, after the kill:`)
        // WHEN the apply is run again to the end
        const again = await oracle.call(lane.spec, 'state.apply')
        expect(failed(again.data), `trial ${trial}`).toEqual([])
        // THEN each file is managed and its backup holds the original, complete, as the user's
        expectRecoverable(lane, originals, `trial ${trial}, after the re-apply:`)
        for (const [f, o] of originals) {
          expect(readFileSync(at(lane, f), 'utf8'), `trial ${trial} ${f}`).toBe(managed(f))
          const backup = readFileSync(at(lane, f + SUFFIX))
          expect(backup.equals(o.bytes), `trial ${trial} ${f}${SUFFIX}`).toBe(true)
          expect(existsSync(at(lane, `${f}${SUFFIX}.tmp`)), `trial ${trial} ${f} temp left`).toBe(false)
        }
      }
    }
    await Promise.all(lanes.map((lane, i) => runLane(lane, i)))
    // the kills did land mid-run (a trial whose run ended first still had its invariants checked)
    expect(kills).toBeGreaterThanOrEqual(TRIALS / 2)
  }, 600_000)

  it("an older backup left root's is redone when it is a partial copy, else kept and the change stopped", async () => {
    // GIVEN backups left by an interrupted file.copy (root's 0644): one empty, one a prefix, one of other bytes
    const lane = lanes[0]!
    const path = (f: string) => at(lane, f)
    const originals = plantOriginals(lane, 1)
    const [empty, prefix, other] = FILES as [string, string, string]
    const legacy = (f: string, bytes: Buffer) => {
      writeFileSync(path(f + SUFFIX), bytes, { mode: 0o644 })
      chownSync(path(f + SUFFIX), 0, 0)
    }
    legacy(empty, Buffer.alloc(0))
    legacy(prefix, originals.get(prefix)!.bytes.subarray(0, 40))
    const foreign = Buffer.from('an original from before, not the file as it is now\n')
    legacy(other, foreign)
    // WHEN the tree is applied
    const run = await oracle.call(lane.spec, 'state.apply')
    // THEN the partial copies were made again, complete and the user's, and their files managed
    for (const f of [empty, prefix]) {
      expect(readFileSync(path(f + SUFFIX)).equals(originals.get(f)!.bytes), f).toBe(true)
      expect(lstatSync(path(f + SUFFIX)).uid, f).toBe(lane.uid)
      expect(readFileSync(path(f), 'utf8'), f).toBe(managed(f))
    }
    // AND the other one is kept as it was, its file untouched, and the run says why
    expect(readFileSync(path(other + SUFFIX)).equals(foreign)).toBe(true)
    expect(readFileSync(path(other)).equals(originals.get(other)!.bytes)).toBe(true)
    expect(failed(run.data).join('\n')).toContain(`${other}${SUFFIX}`)
  })

  it('a backup that cannot be made stops the change: the original stays as it was', async () => {
    // GIVEN an original the user cannot read (root's, 0600), and one in a directory the user cannot enter
    const lane = lanes[1]!
    const path = (f: string) => at(lane, f)
    const originals = plantOriginals(lane, 0)
    const [unreadable, , hidden, free] = FILES as [string, string, string, string]
    chownSync(path(unreadable), 0, 0)
    chownSync(path('.config'), 0, 0)
    try {
      // WHEN the tree is applied
      const run = await oracle.call(lane.spec, 'state.apply')
      // THEN both backups failed and neither file was replaced; the other files went ahead
      for (const f of [unreadable, hidden]) {
        expect(failed(run.data).join('\n')).toContain(`${f}${SUFFIX}`)
        expect(readFileSync(path(f)).equals(originals.get(f)!.bytes), f).toBe(true)
        expect(existsSync(path(f + SUFFIX)), f).toBe(false)
      }
      expect(readFileSync(path(free), 'utf8')).toBe(managed(free))
      expect(readFileSync(path(free + SUFFIX)).equals(originals.get(free)!.bytes)).toBe(true)
    } finally {
      chownSync(path('.config'), lane.uid, lane.gid)
    }
  })
})
