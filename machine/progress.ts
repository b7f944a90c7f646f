import { styleText } from 'node:util'

/** One state as Salt's log reports it while the run goes on. */
export interface ProgressEvent {
  readonly kind: 'start' | 'done'
  readonly fun: string
  readonly name: string
  readonly ok: boolean
  readonly durationMs: number
}

const LEVEL = /^\[(\w+)\s*\] (.*)$/
const EXECUTING = /^Executing state (\S+) for \[(.*)\]$/
const COMPLETED = /^Completed state \[(.*)\] at time \S+ \(duration_in_ms=([\d.]+)\)$/

/**
 * Reads salt-call's `-l info` log: "Executing state F for [N]", then what the state's modules log, then
 * Salt's summary of the state (its last record: ERROR when the state failed, INFO otherwise), then
 * "Completed state [N] ... (duration_in_ms=D)". Continuation lines of multi-line records are ignored.
 */
export function saltLogReader(emit: (e: ProgressEvent) => void): (line: string) => void {
  let current: { fun: string; name: string } | undefined
  let lastLevel = ''
  return (line) => {
    const m = LEVEL.exec(line)
    if (m === null) return
    const [, level = '', text = ''] = m
    const exec = EXECUTING.exec(text)
    if (exec) {
      current = { fun: exec[1] ?? '', name: exec[2] ?? '' }
      emit({ kind: 'start', ...current, ok: true, durationMs: 0 })
      return
    }
    if (current === undefined) return
    const done = COMPLETED.exec(text)
    if (done === null) {
      lastLevel = level
      return
    }
    const ok = lastLevel !== 'ERROR' && lastLevel !== 'CRITICAL'
    emit({ kind: 'done', ...current, ok, durationMs: Number(done[2]) })
    current = undefined
  }
}

/** Shows the run: one line rewritten in place on a TTY, one plain line per state otherwise. */
export function progressPrinter(
  total: number,
  out: NodeJS.WriteStream,
  tty: boolean,
): { onEvent: (e: ProgressEvent) => void; end: () => void } {
  let done = 0
  let shown = false
  // the state's name gives way, never the count or the verdict
  const line = (e: ProgressEvent, n: number, tail: string, tailWidth: number) => {
    const head = `[${n}/${total}] ${e.fun} `
    const room = Math.max(10, (tty ? out.columns || 100 : 200) - head.length - tailWidth - 2)
    const name = e.name.replace(/\s+/g, ' ')
    return `${head}${name.length > room ? `${name.slice(0, room - 1)}…` : name} ${tail}`
  }
  const paint = (text: string) => {
    out.write(`\r\x1b[2K${text}`)
    shown = true
  }
  return {
    onEvent(e) {
      if (e.kind === 'start') {
        if (tty) paint(line(e, done + 1, '…', 1))
        return
      }
      done++
      const word = e.ok ? 'ok' : 'failed'
      const tail = `… ${styled(e.ok ? 'green' : 'red', word, tty)} ${seconds(e.durationMs)}`
      const text = line(e, done, tail, word.length + seconds(e.durationMs).length + 3)
      if (!tty) out.write(`${text}\n`)
      else if (e.ok) paint(text)
      else {
        paint(text)
        out.write('\n') // a failure stays on screen
        shown = false
      }
    },
    end() {
      if (tty && shown) out.write('\r\x1b[2K')
    },
  }
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`

export function styled(
  color: 'green' | 'red' | 'yellow' | 'cyan' | 'dim',
  text: string,
  on: boolean,
): string {
  return on ? styleText(color, text) : text
}
