// Whether a directory is exactly a tree salt-dsl wrote: its manifest lists every file with its SHA-256,
// and the directory holds nothing else (the manifest itself and the minion snippet, which the manifest
// cannot hash, aside). A manifest that only looks like ours does not make a directory ours.
import { createHash } from 'node:crypto'
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs'
import { join } from 'node:path'

/** The files the manifest does not hash: itself, and the snippet naming the out path. */
export const UNHASHED = ['manifest.json', 'minion.d/salt-dsl.conf'] as const

export interface TreeCheck {
  /** The directory holds a readable salt-dsl manifest. */
  readonly manifest: boolean
  /** Entries the manifest does not list (files, or links and other non-files anywhere). */
  readonly foreign: readonly string[]
  /** Listed files whose bytes are not the listed ones. */
  readonly changed: readonly string[]
  /** The listed files found (a listed one missing is no harm: nothing of the user's is lost with it). */
  readonly seen: ReadonlySet<string>
}

/**
 * Checks `root` against its own manifest: every file listed, with its bytes. With `writtenBy` (the time a
 * generation of ours was switched in), a file not modified since is not read again: an edit after the
 * switch would have made it newer (a 100k-state tree holds 24 MB to hash).
 */
export function verifyTree(root: string, writtenBy?: number): TreeCheck {
  const listed = readManifest(join(root, 'manifest.json'))
  const check = walkTree(root, (path) => listed?.get(path), true, writtenBy)
  return { ...check, manifest: listed !== undefined }
}

/**
 * Checks `root` against the tree last written into it (watch mode, on every rebuild): names and kinds
 * only, a readdir per directory; an edit in place of a file is left to the next full build to find.
 */
export function verifyNames(root: string, expected: ReadonlyMap<string, unknown>): TreeCheck {
  return { ...walkTree(root, (path) => (expected.has(path) ? '' : undefined), false), manifest: true }
}

function walkTree(
  root: string,
  listed: (path: string) => string | undefined,
  hashes: boolean,
  writtenBy?: number,
): Omit<TreeCheck, 'manifest'> {
  const foreign: string[] = []
  const changed: string[] = []
  const seen = new Set<string>()
  const walk = (dir: string, prefix: string) => {
    let entries: import('node:fs').Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      foreign.push(prefix === '' ? '.' : prefix.slice(0, -1))
      return
    }
    for (const entry of entries) {
      const path = `${prefix}${entry.name}`
      if (entry.isDirectory()) walk(join(dir, entry.name), `${path}/`)
      else if (!entry.isFile()) foreign.push(path)
      else if (UNHASHED.includes(path as (typeof UNHASHED)[number])) seen.add(path)
      else {
        const hash = listed(path)
        if (hash === undefined) foreign.push(path)
        else {
          seen.add(path)
          const file = join(dir, entry.name)
          const untouched = writtenBy !== undefined && lstatSync(file).mtimeMs <= writtenBy
          if (hashes && !untouched && sha256(readFileSync(file)) !== hash) changed.push(path)
        }
      }
    }
  }
  walk(root, '')
  return { foreign: foreign.sort(), changed: changed.sort(), seen }
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex')

/** The manifest's file hashes, or undefined when it is not a salt-dsl manifest. */
function readManifest(file: string): Map<string, string> | undefined {
  let parsed: unknown
  try {
    const head = filesOnly(readHead(file))
    if (head === undefined) throw new Error('not laid out as emit writes it')
    parsed = JSON.parse(head)
  } catch {
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'))
    } catch {
      return undefined
    }
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const { generator, files } = parsed as { generator?: unknown; files?: unknown }
  if (typeof generator !== 'string' || !generator.startsWith('salt-dsl ')) return undefined
  if (typeof files !== 'object' || files === null) return undefined
  const hashes = new Map<string, string>()
  for (const [path, hash] of Object.entries(files)) {
    if (typeof hash !== 'string') return undefined
    hashes.set(path, hash)
  }
  return hashes
}

/** The text of `file` up to the end of its `files` block (or all of it). */
function readHead(file: string): string {
  const fd = openSync(file, 'r')
  try {
    const chunks: Buffer[] = []
    for (let at = 0; ; ) {
      const chunk = Buffer.alloc(1 << 16)
      const n = readSync(fd, chunk, 0, chunk.length, at)
      if (n === 0) break
      chunks.push(chunk.subarray(0, n))
      at += n
      if (chunk.subarray(0, n).includes('\n  "sources"')) break
    }
    return Buffer.concat(chunks).toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/**
 * The manifest's head, up to its `files` block, as JSON of its own (the states that follow are most of a
 * large manifest's 6 MB, and nothing here reads them); undefined when it is not laid out as emit writes it.
 */
function filesOnly(text: string): string | undefined {
  const start = text.indexOf('\n  "files": {')
  if (start < 0) return undefined
  const end = text.indexOf('\n  }', start)
  if (end < 0) return undefined
  return `${text.slice(0, end)}\n  }\n}`
}
