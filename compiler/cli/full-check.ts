// Watch mode's check of its quick rebuilds: a full rebuild of the config in a worker thread, so that the
// watch stays free to rebuild while it runs (at 100k states it takes a second or two).
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { compile } from '../compile.ts'
import { hasErrors } from '../diagnostics.ts'
import type { Tree } from '../emit/emit-tree.ts'
import { configModules } from '../load/load-config.ts'
import { collectGarbage } from '../memory.ts'
import { resolveEntry } from '../paths.ts'
import { sameBytes } from '../write/write-tree.ts'
import { CHECKER_ARG } from './checker-arg.ts'

interface Request {
  readonly id: number
}

/** What a full rebuild gave: its tree, or that it found errors. */
export type Verdict = { readonly tree: Tree } | { readonly errors: true }

interface Reply {
  readonly id: number
  readonly tree?: [string, string | Uint8Array][]
  readonly failed?: string
}

/** A full rebuild on another thread, one at a time. */
export interface FullCheck {
  /** Rebuilds the config from scratch (every file looked at, every module run). */
  run(): Promise<Verdict>
  close(): Promise<void>
}

/**
 * Starts the checker: the CLI at `cli` run again in a worker thread. Undefined when there is no CLI file
 * to start it from (the watch then checks on its own thread).
 */
export function startFullCheck(
  cli: string | undefined,
  entry: string,
  outDir: string,
): FullCheck | undefined {
  if (cli === undefined) return undefined
  const worker = new Worker(cli, { argv: [CHECKER_ARG], workerData: { entry, outDir } })
  worker.unref()
  let next = 0
  const waiting = new Map<number, { done: (v: Verdict) => void; fail: (e: Error) => void }>()
  const failAll = (e: Error) => {
    for (const w of waiting.values()) w.fail(e)
    waiting.clear()
  }
  worker.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id)
    waiting.delete(reply.id)
    if (w === undefined) return
    if (reply.failed !== undefined) w.fail(new Error(reply.failed))
    else w.done(reply.tree === undefined ? { errors: true } : { tree: new Map(reply.tree) })
  })
  worker.on('error', failAll)
  worker.on('exit', () => failAll(new Error('the checker stopped')))
  return {
    run: () =>
      new Promise<Verdict>((done, fail) => {
        const id = ++next
        waiting.set(id, { done, fail })
        worker.postMessage({ id } satisfies Request)
      }),
    close: async () => {
      await worker.terminate()
    },
  }
}

/** The checker's side: answers each request with a full rebuild. */
export async function serveFullCheck(): Promise<number> {
  if (isMainThread || parentPort === null) return 2
  const port = parentPort
  const { entry, outDir } = workerData as { entry: string; outDir: string }
  const resolved = resolveEntry(entry)
  if (resolved === undefined) return 2
  // the modules' compiled texts are kept from one check to the next; nothing else is (the check is a
  // one-shot build, and the thread gives its memory back once it has answered)
  const modules = configModules(resolved.root)
  await new Promise<void>((stop) => {
    port.on('message', async ({ id }: Request) => {
      try {
        const result = await compile({ entry, outDir, typecheck: false, modules })
        const ok = result.tree !== undefined && !hasErrors(result.diagnostics)
        port.postMessage({ id, ...(ok ? { tree: [...result.tree!] } : {}) } satisfies Reply)
      } catch (thrown) {
        port.postMessage({ id, failed: String(thrown) } satisfies Reply)
      }
      collectGarbage()
    })
    port.on('close', () => stop())
  })
  return 0
}

/** Whether two trees hold the same files with the same bytes. */
export function sameTree(a: Tree, b: Tree): boolean {
  if (a.size !== b.size) return false
  for (const [path, data] of a) {
    const other = b.get(path)
    if (other === undefined || !sameBytes(data, other)) return false
  }
  return true
}
