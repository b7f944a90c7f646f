// I/O a config starts and leaves unfinished when its run ends: a server listening, a child process, a
// worker thread, a socket, an fs or DNS request with a callback, an fs promise. It would keep the CLI
// alive, or run the config's code later, outside the load's timeout (an endless loop there hangs the
// CLI). Each is closed, its callbacks dropped, and reported at the line that started it.
import { EventEmitter } from 'node:events'
import { createRequire } from 'node:module'
import { type ConfigCode, firstConfigFrame, stackHere } from './config-frames.ts'

const nodeRequire = createRequire(import.meta.url)

/**
 * Loaded with the loader, before any config runs: loading it the first time replaces `process.chdir`
 * (to tell workers of a new cwd), which would pass for a change the config made to a builtin.
 */
const { Worker } = nodeRequire('node:worker_threads') as typeof import('node:worker_threads')

/** The requests whose callback can be dropped (DNS, and fs calls not made through `fs` itself). */
const DROPPABLE: ReadonlySet<string> = new Set([
  'FSReqCallback',
  'GetAddrInfoReqWrap',
  'GetNameInfoReqWrap',
  'QueryReqWrap',
])

type Resource = {
  readonly constructor?: { readonly name?: string }
  readonly _handle?: unknown
  readonly fd?: unknown
  oncomplete?: unknown
  destroy?: () => void
  close?: () => void
  kill?: () => void
  unref?: () => void
  removeAllListeners?: () => void
}

type ActiveProcess = NodeJS.Process & {
  _getActiveHandles?: () => Resource[]
  _getActiveRequests?: () => Resource[]
}

/** What the config left: what it is, and the stack that started it (when known). */
export interface LeftIo {
  readonly what: string
  readonly stack: string | undefined
}

/**
 * Watches the I/O the config starts until `closeLeft`. Handles and requests are those active then that
 * were not at the start (the compiler starts none while the config runs); where each was made is
 * known for emitters (servers, sockets, child processes) and for calls of `fs` and `fs/promises`.
 * (Not with async_hooks: a hook makes Node enter a scope around each promise reaction, and a timeout
 * inside one leaves it open, which Node cannot survive.)
 */
export function watchIo(code: ConfigCode) {
  const proc = process as ActiveProcess
  const handles = () => proc._getActiveHandles?.() ?? []
  const requests = () => proc._getActiveRequests?.() ?? []
  const before = new Set<Resource>([...handles(), ...requests()])
  const restore: (() => void)[] = []
  const patch = (target: Record<string, unknown>, key: string, value: unknown) => {
    const was = target[key]
    target[key] = value
    restore.push(() => {
      target[key] = was
    })
  }
  const fromConfig = (stack: string) => firstConfigFrame(stack, code) !== undefined

  // where each emitter was made (every server, socket and child process is one)
  const made = new WeakMap<object, string>()
  // a worker thread is no handle of this thread's, yet it keeps the process alive
  const workers: import('node:worker_threads').Worker[] = []
  const init = (EventEmitter as unknown as { init: (...a: unknown[]) => void }).init
  patch(
    EventEmitter as unknown as Record<string, unknown>,
    'init',
    function tracedInit(this: object, ...args: unknown[]) {
      made.set(this, stackHere())
      if (this instanceof Worker) workers.push(this)
      return init.apply(this, args)
    },
  )

  // fs calls with a callback: the callback is dropped once the window is closed
  let closed = false
  const calls: { call: string; stack: string; done: boolean }[] = []
  const fs = nodeRequire('node:fs') as Record<string, unknown>
  for (const [name, fn] of Object.entries(fs)) {
    if (typeof fn !== 'function' || name.endsWith('Sync') || !/^[a-z]/.test(name)) continue
    if (name.startsWith('create') || name.startsWith('watch') || name === 'unwatchFile') continue
    patch(fs, name, function calledBack(this: unknown, ...args: unknown[]) {
      const last = args.length - 1
      const callback = args[last]
      if (typeof callback !== 'function') return fn.apply(this, args)
      const stack = stackHere()
      if (!fromConfig(stack)) return fn.apply(this, args)
      const entry = { call: `fs.${name}`, stack, done: false }
      calls.push(entry)
      args[last] = (...results: unknown[]) => {
        entry.done = true
        if (!closed) callback(...results)
      }
      return fn.apply(this, args)
    })
  }
  // fs/promises is resolved by Node's C++ side, whose continuation cannot be dropped: each call of the
  // config's gets a promise of ours instead, which never settles once the window is closed
  const fsPromises = nodeRequire('node:fs/promises') as Record<string, unknown>
  for (const [name, fn] of Object.entries(fsPromises)) {
    if (typeof fn !== 'function' || name === 'watch') continue
    patch(fsPromises, name, function settledInWindow(this: unknown, ...args: unknown[]) {
      const stack = stackHere()
      if (!fromConfig(stack)) return fn.apply(this, args)
      const entry = { call: `fs/promises.${name}`, stack, done: false }
      calls.push(entry)
      return new Promise((resolve, reject) => {
        ;(fn.apply(this, args) as Promise<unknown>).then(
          (value) => {
            entry.done = true
            if (!closed) resolve(value)
          },
          (reason: unknown) => {
            entry.done = true
            if (!closed) reject(reason)
          },
        )
      })
    })
  }

  const madeAt = (r: Resource) =>
    made.get(r) ?? (typeof r._handle === 'object' && r._handle !== null ? made.get(r._handle) : undefined)
  return {
    /** Puts `fs`, `fs/promises` and emitters back (calls made meanwhile still never call back). */
    restore() {
      for (const undo of restore.splice(0).reverse()) undo()
    },
    /** Closes what the config left open, and says what it was and where it was made. */
    closeLeft(): LeftIo[] {
      closed = true
      const left: LeftIo[] = []
      for (const h of handles()) {
        if (before.has(h) || isStdio(h)) continue
        left.push({ what: `a ${h.constructor?.name ?? 'handle'} open`, stack: madeAt(h) })
        try {
          // its listeners are the config's callbacks: closing it must not run them
          h.removeAllListeners?.()
          if (typeof h.destroy === 'function') h.destroy()
          else if (typeof h.kill === 'function') h.kill()
          else if (typeof h.close === 'function') h.close()
          h.unref?.()
        } catch {
          // closed already, or not closable: it is reported all the same
        }
      }
      for (const w of workers) {
        if (w.threadId < 0) continue
        left.push({ what: 'a Worker running', stack: made.get(w) })
        w.removeAllListeners()
        void w.terminate().catch(() => undefined)
      }
      const pendingCalls = calls.filter((c) => !c.done)
      for (const c of pendingCalls) left.push({ what: `${c.call} pending`, stack: c.stack })
      for (const r of requests()) {
        const name = r.constructor?.name ?? ''
        if (before.has(r) || !DROPPABLE.has(name)) continue
        if (typeof r.oncomplete === 'function') r.oncomplete = () => undefined
        // an fs request of a call reported above is that call
        if (name === 'FSReqCallback' && pendingCalls.length > 0) continue
        left.push({ what: `an ${name === 'FSReqCallback' ? 'fs' : 'DNS'} request pending`, stack: undefined })
      }
      return left
    },
  }
}

/** The process's own stdin, stdout and stderr (made on first use, possibly while the config runs). */
function isStdio(h: Resource): boolean {
  const fd = h.fd ?? (h._handle as { fd?: unknown } | undefined)?.fd
  return fd === 0 || fd === 1 || fd === 2
}
