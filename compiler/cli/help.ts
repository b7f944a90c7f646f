import type { Command } from './cli-error.ts'
import { paint } from './report.ts'
import { usageSpec } from './usage-spec.ts'

/** The task a command serves: `dsl --help` lists the commands under these headings, in this order. */
export const GROUPS = {
  write: 'Write',
  operate: 'Operate',
  machines: 'Machines',
  secrets: 'Secrets',
  fleet: 'Fleet',
  reports: 'Reports',
  shell: 'Shell',
  other: 'Other',
} as const
export type Group = keyof typeof GROUPS

/** One line of the registry: the command's group and its lazy module. */
export interface Registration {
  readonly group: Group
  readonly load: () => Promise<{ command: Command }>
  /** Left out of help and completion (`__complete`). */
  readonly hidden?: boolean
}
export type Registry = Readonly<Record<string, Registration>>

/** `dsl --help`: every registered command under its group, with the first sentence of its summary. */
export async function overview(registry: Registry, width = terminalWidth()): Promise<string> {
  const entries = Object.entries(registry).filter(([, r]) => !r.hidden)
  const loaded = await Promise.all(
    entries.map(async ([name, r]) => ({ name, r, c: (await r.load()).command })),
  )
  const pad = Math.max(...loaded.map((e) => e.name.length)) + 4
  const lines = [
    'dsl: typed TypeScript for SaltStack',
    '',
    `${paint('bold', 'usage:')} dsl <command> [options]`,
  ]
  for (const group of Object.keys(GROUPS) as Group[]) {
    const members = loaded.filter((e) => e.r.group === group)
    if (members.length === 0) continue
    lines.push('', paint('bold', GROUPS[group]))
    for (const { name, c } of members) {
      const text = wrap(firstSentence(c.summary), width - pad)
      lines.push(`  ${paint('cyan', name.padEnd(pad - 2))}${text.join(`\n${' '.repeat(pad)}`)}`)
    }
  }
  lines.push(
    '',
    'dsl help COMMAND (or dsl COMMAND --help): its usage and options.   dsl --version: versions.',
    'exit codes: 0 clean, 1 diagnostics, 2 usage or internal error',
  )
  return lines.join('\n')
}

/** `dsl help COMMAND`: the summary, the usage forms and the options the usage names. */
export function commandHelp(name: string, command: Command): string {
  const spec = usageSpec(name, command.usage)
  const forms = command.usage
    .split(/\n|\|\s*(?=dsl\s)/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
  const lines = [
    command.summary,
    '',
    `${paint('bold', 'usage:')} ${forms[0]}`,
    ...forms.slice(1).map((f) => `       ${f}`),
  ]
  if (spec.flags.length > 0) {
    lines.push('', paint('bold', 'options:'))
    for (const f of spec.flags) lines.push(`  ${paint('cyan', `--${f.name}`)}${f.value ? ` ${f.value}` : ''}`)
    lines.push(`  ${paint('cyan', '--help')}`)
  }
  return lines.join('\n')
}

/** Up to the first `.` or `;` outside parentheses. */
function firstSentence(text: string): string {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!
    if (ch === '(') depth++
    else if (ch === ')') depth = Math.max(0, depth - 1)
    else if (depth === 0 && (ch === '.' || ch === ';') && /^\s?$/.test(text[i + 1] ?? ''))
      return text.slice(0, i)
  }
  return text.replace(/\.$/, '')
}

function wrap(text: string, width: number): string[] {
  const out: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > Math.max(30, width)) {
      out.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  return [...out, line]
}

const terminalWidth = () => Math.min(process.stdout.columns ?? 100, 110)
