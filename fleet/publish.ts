import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { basename, join } from 'node:path'
import { type StoreLock, takeLock } from '../machine/store-lock.ts'

/** What a publish did. */
export interface Published {
  /** The generation written (or found already published): the master serves it as env `N` too. */
  readonly generation: number
  /** Its directory (`ROOT/generations/N`). */
  readonly dir: string
  /** True when `current` was switched to it by this publish. */
  readonly switched: boolean
  /** True when `current` serves it now (a plan's generation is published without being served). */
  readonly served: boolean
}

/**
 * How many published generations are kept (the served one besides, whatever its age). A fleet run reads its
 * own generation from start to end: it is removed only after this many newer trees were published (applied
 * or planned), and a rollback needs the ones before.
 */
export const KEEP_PUBLISHED = 10

/**
 * Copies a built tree to `root/generations/N` and, unless `serve` is false (a plan), switches `root/current`
 * to it in one rename: the master reads either the old tree or the new one, never a mix. The same tree as
 * the one served (or the newest published, a plan's) is not copied again. Files are copied (not linked), so
 * each has a fresh mtime: Salt's file server caches hashes by mtime. Each generation stays served as the
 * saltenv and pillarenv `N` (master.d's `__env__` roots), for a run that names it. Done under the publish
 * root's lock (`lockPublishRoot`): two publishers at once would pick the same N.
 */
export async function publishTree(
  tree: string,
  root: string,
  opts: { serve?: boolean; onWait?: (why: string) => void } = {},
): Promise<Published> {
  const lock = await lockPublishRoot(root, opts.onWait ?? (() => {}))
  try {
    return publishLocked(tree, root, opts.serve ?? true)
  } finally {
    lock.release()
  }
}

/**
 * Takes the publish root's lock (machine/store-lock.ts: a killed holder's lock is taken over) and clears
 * what a killed publisher left: its staging copy (named by no generation number, yet a saltenv of its own
 * name would read it), a generation it was pruning, its `current` link not yet renamed into place, a top it was pinning.
 */
export async function lockPublishRoot(root: string, onWait: (why: string) => void): Promise<StoreLock> {
  const generations = join(root, 'generations')
  mkdirSync(generations, { recursive: true })
  const lock = await takeLock(join(root, PUBLISH_LOCK), onWait)
  try {
    for (const name of readdirSync(generations)) {
      // a staging copy or a pruned generation being removed
      if (name.startsWith('.')) rmSync(join(generations, name), { recursive: true, force: true })
      else if (/^\d+$/.test(name))
        for (const sub of ['salt', 'pillar']) {
          const d = join(generations, name, sub)
          if (existsSync(d))
            for (const f of readdirSync(d)) if (/^top\.sls\.\d+$/.test(f)) rmSync(join(d, f), { force: true })
        }
    }
    for (const name of readdirSync(root))
      if (/^\.current-\d+$/.test(name)) rmSync(join(root, name), { force: true })
  } catch (e) {
    lock.release()
    throw e
  }
  return lock
}

/** The publish root's lock file: held by the one publisher that numbers and switches generations. */
const PUBLISH_LOCK = 'publish.lock'

function publishLocked(tree: string, root: string, serve: boolean): Published {
  const generations = join(root, 'generations')
  const source = realpathSync(tree)
  const served = currentGeneration(root)
  const numbers = listGenerations(root)
  const same = [served, numbers.at(-1)].find(
    (n) => n !== undefined && sameManifest(source, join(generations, String(n))),
  )
  if (same !== undefined) {
    // a generation published before runs named their env gets its tops pinned now (same meaning)
    pinTops(join(generations, String(same)))
    const switched = serve && same !== served && servePublished(root, same)
    return {
      generation: same,
      dir: join(generations, String(same)),
      switched,
      served: same === served || switched,
    }
  }
  const next = (numbers.at(-1) ?? 0) + 1
  const staging = join(generations, `.staging-${process.pid}`)
  rmSync(staging, { recursive: true, force: true })
  cpSync(source, staging, { recursive: true, dereference: true })
  pinTops(staging)
  const dir = join(generations, String(next))
  renameSync(staging, dir)
  if (serve) servePublished(root, next)
  for (const old of numbers.slice(0, Math.max(0, numbers.length + 1 - KEEP_PUBLISHED)))
    if (old !== next && old !== served) {
      // renamed out of the numbers first: a kill while removing leaves no half generation under its number
      const gone = join(generations, `.pruned-${old}-${process.pid}`)
      renameSync(join(generations, String(old)), gone)
      rmSync(gone, { recursive: true, force: true })
    }
  return { generation: next, dir, switched: serve, served: serve }
}

/**
 * A top file matches only in the env it names: a run with saltenv (pillarenv) `N` keeps only top sections
 * named `N`. The published copy's `base:` becomes the env it is read in (Salt renders `saltenv` in a top):
 * `base` through `current`, as before, and `N` for a run pinned to generation N. The rest stays as built
 * (raw: no Jinja of ours reads it). A top of another shape is left as it is.
 */
function pinTops(dir: string): void {
  for (const top of ['salt/top.sls', 'pillar/top.sls']) {
    const path = join(dir, top)
    if (!existsSync(path)) continue
    const m = /^#!yaml\nbase:(.*)$/s.exec(readFileSync(path, 'utf8'))
    if (m === null || m[1]!.includes('endraw') || /^\S/m.test(m[1]!.replace(/^[^\n]*\n?/, ''))) continue
    const body = m[1]!.replace(/\n$/, '')
    // one rename: a run reading this top meanwhile reads the old one or the new one
    const staged = `${path}.${process.pid}`
    writeFileSync(staged, `#!jinja|yaml\n"{{ saltenv }}":{% raw %}${body}{% endraw %}\n`)
    renameSync(staged, path)
  }
}

/**
 * Whether the master's config (its `master` file and `master.d/*.conf`) serves each published generation as an
 * env of its own name (the `__env__` roots the build's master.d has): a fleet run names its generation.
 */
export function servesGenerations(configDir: string): boolean {
  const dir = join(configDir, 'master.d')
  const files = [
    join(configDir, 'master'),
    ...(existsSync(dir)
      ? readdirSync(dir)
          .filter((n) => n.endsWith('.conf'))
          .map((n) => join(dir, n))
      : []),
  ]
  return files.some((f) => {
    try {
      return readFileSync(f, 'utf8').includes('/generations/__env__/salt')
    } catch {
      return false
    }
  })
}

/** The generation `root/current` points at. */
export function currentGeneration(root: string): number | undefined {
  try {
    const n = Number(basename(readlinkSync(join(root, 'current'))))
    return Number.isInteger(n) && n > 0 ? n : undefined
  } catch {
    return undefined
  }
}

/** The published generations, oldest first. */
export function listGenerations(root: string): number[] {
  const dir = join(root, 'generations')
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b)
}

/** Switches `current` back to an earlier published generation (one rename; call with the publish root's lock held). */
export function servePublished(root: string, generation: number): boolean {
  const dir = join(root, 'generations', String(generation))
  if (!existsSync(dir)) return false
  pinTops(dir)
  const link = join(root, `.current-${process.pid}`)
  rmSync(link, { force: true })
  symlinkSync(join('generations', String(generation)), link)
  renameSync(link, join(root, 'current'))
  return true
}

function sameManifest(a: string, b: string): boolean {
  try {
    return readFileSync(join(a, 'manifest.json')).equals(readFileSync(join(b, 'manifest.json')))
  } catch {
    return false
  }
}
