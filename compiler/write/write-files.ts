// The files of a full build: those emit hands over early go to a writer thread while it emits; the rest
// are written at the end, several at a time on the thread pool.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import type { Tree } from '../emit/emit-tree.ts'
import { FILE_MODE, makeDirs } from './next-generation.ts'

/** The writer thread: one message per file, `null` for "all sent" (answered once everything is on disk). */
const WRITER = `
const { parentPort, workerData } = require('node:worker_threads')
const { mkdirSync, writeFileSync } = require('node:fs')
const { dirname, join } = require('node:path')
const made = new Set()
let failed
parentPort.on('message', (m) => {
  if (m === null) return parentPort.postMessage({ failed })
  if (failed) return
  try {
    const file = join(workerData, m[0])
    const dir = dirname(file)
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true, mode: 0o755 })
      made.add(dir)
    }
    writeFileSync(file, m[1], { mode: 0o644, flag: 'wx' })
  } catch (e) {
    failed = String(e && e.message || e)
  }
})
`

/** A writer thread into `root` (a staging directory of our own). */
export const startWriter = (root: string) => new Worker(WRITER, { eval: true, workerData: root })

/** Resolves once the thread has written everything sent to it (rejects with its first failure). */
export const drained = (w: Worker) =>
  new Promise<void>((done, fail) => {
    w.once('message', (m: { failed?: string }) =>
      m.failed === undefined ? done() : fail(new Error(m.failed)),
    )
    w.once('error', fail)
    w.postMessage(null)
  })

/** Writes every file, several at a time (the thread pool overlaps the file system's latency). */
export async function writeFiles(
  root: string,
  tree: Tree,
  modes: ReadonlyMap<string, number>,
): Promise<void> {
  makeDirs(root, tree.keys())
  // a bounded number in flight: each write holds its file's bytes until it is done
  const queue = [...tree]
  const worker = async () => {
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      const [path, data] = next
      await writeFile(join(root, path), data, { mode: modes.get(path) ?? FILE_MODE, flag: 'wx' })
    }
  }
  await Promise.all(Array.from({ length: Math.min(WRITES_IN_FLIGHT, queue.length) }, worker))
}

const WRITES_IN_FLIGHT = 32
