import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { defaultStateDir, GenerationStore } from '../../machine/generation-store.ts'
import { CliError, type Command } from './cli-error.ts'
import { SCRIPTS, SHELLS, type Shell } from './completion-scripts.ts'
import type { Registry } from './help.ts'
import { type FlagSpec, usageSpec } from './usage-spec.ts'

export const command: Command = {
  summary:
    'Print the shell completion script for bash, zsh or fish: commands, flags, machine IDs, SLS names, pillar keys and generations (read from the last build, nothing is compiled).',
  usage: 'dsl completion bash|zsh|fish',
  async run(argv) {
    const shell = argv[0]
    if (!SHELLS.includes(shell as Shell))
      throw new CliError(`which shell? ${SHELLS.join(', ')}\n\n${INSTALL}`)
    process.stdout.write(SCRIPTS[shell as Shell])
    return 0
  },
}

export const INSTALL = [
  "bash:  echo 'source <(dsl completion bash)' >> ~/.bashrc",
  "zsh:   echo 'source <(dsl completion zsh)' >> ~/.zshrc      (after compinit)",
  'fish:  dsl completion fish > ~/.config/fish/completions/dsl.fish',
].join('\n')

export interface Candidate {
  readonly value: string
  readonly description?: string
}
/** What the shell shows: candidates, or its own path completion. */
export type Completion =
  | { readonly kind: 'words'; readonly words: readonly Candidate[] }
  | { readonly kind: 'files' | 'dirs' }

/**
 * `dsl __complete WORD... CURRENT`: what may stand at CURRENT. Commands and flags come from the registry
 * and the usage lines; machine IDs, SLS names, pillar keys and generations from what the last build wrote
 * (`out/`, or the `--out` typed) and the generation store, so nothing is compiled.
 */
export async function complete(registry: Registry, words: readonly string[]): Promise<Completion> {
  const current = words.at(-1) ?? ''
  const typed = words.slice(0, -1)
  const visible = Object.entries(registry).filter(([, r]) => !r.hidden)
  const name = typed[0]
  if (name === undefined) {
    const flags = current.startsWith('-') ? ['--help', '--version'] : []
    return only(current, [...visible.map(([n]) => n), 'help', ...flags])
  }
  if (name === 'help')
    return typed.length === 1
      ? only(
          current,
          visible.map(([n]) => n),
        )
      : { kind: 'words', words: [] }
  const registration = registry[name]
  if (registration === undefined) return { kind: 'words', words: [] }
  const { command } = await registration.load()
  const spec = usageSpec(name, command.usage)
  const args = typed.slice(1)
  const out = resolve(flagValue(args, spec.flags, 'out') ?? 'out')

  // the value of a flag
  const previous = args.at(-1)
  const flag = previous?.startsWith('--') ? spec.flags.find((f) => `--${f.name}` === previous) : undefined
  if (flag?.value !== undefined) return valueCompletion(flag.value, current, out)
  if (current.startsWith('-')) return only(current, [...spec.flags.map((f) => `--${f.name}`), '--help'])

  // a positional: the slot of every form whose literal words match what was typed
  const positionals = positionalsOf(args, spec.flags)
  const slots = new Set<string>()
  for (const form of spec.forms) {
    const fits = positionals.every((p, i) => form[i]?.split('|').some((a) => isPlaceholder(a) || a === p))
    const slot = form[positionals.length]
    if (fits && slot !== undefined) slots.add(slot)
  }
  let found: Candidate[] = []
  let paths: 'files' | 'dirs' | undefined
  for (const slot of slots) {
    const c = slotCompletion(slot, current, out)
    if (c.kind === 'words') found = [...found, ...c.words]
    else paths ??= c.kind
  }
  if (found.length === 0 && paths !== undefined) return { kind: paths }
  return { kind: 'words', words: dedupe(found) }
}

/** `value<TAB>description` lines, then the kind line the scripts read. */
export function formatCompletion(c: Completion): string {
  if (c.kind !== 'words') return `:${c.kind}\n`
  const lines = c.words.map((w) => (w.description ? `${w.value}\t${w.description}` : w.value))
  return `${[...lines, ':none'].join('\n')}\n`
}

const isPlaceholder = (slot: string) => /^([A-Z][\w.]*|<[\w-]+>)$/.test(slot)

function slotCompletion(slot: string, current: string, out: string): Completion {
  const literal = slot.split('|').filter((w) => !isPlaceholder(w))
  const placeholders = slot.split('|').filter(isPlaceholder)
  let words: Candidate[] = literal.map((value) => ({ value }))
  for (const p of placeholders) {
    const c = valueCompletion(p, current, out)
    if (c.kind !== 'words') return words.length === 0 ? c : { kind: 'words', words: filter(current, words) }
    words = [...words, ...c.words]
  }
  return { kind: 'words', words: filter(current, words) }
}

/** The values a placeholder of the usage stands for. */
function valueCompletion(placeholder: string, current: string, out: string): Completion {
  switch (placeholder) {
    case 'ID':
      return { kind: 'words', words: filter(current, machines(out)) }
    case 'SLS':
      return { kind: 'words', words: filter(current, slsNames(out)) }
    case 'KEY':
      return { kind: 'words', words: filter(current, pillarKeys(out)) }
    case 'N':
      return { kind: 'words', words: filter(current, generations()) }
    case 'ENTRY':
    case 'DIR':
      return { kind: 'dirs' }
    case 'PATH':
    case 'FILE':
      return { kind: 'files' }
  }
  if (/DIR$/.test(placeholder)) return { kind: 'dirs' }
  if (/FILE|PATH/.test(placeholder)) return { kind: 'files' }
  if (placeholder.includes('|') || /^[a-z]/.test(placeholder))
    return slotCompletion(placeholder, current, out)
  return { kind: 'words', words: [] }
}

/** Registered machines: the `L@` lists and the machine layers of the built top files. */
function machines(out: string): Candidate[] {
  const ids = new Set<string>()
  for (const top of ['pillar/top.sls', 'salt/top.sls']) {
    const text = read(join(out, top))
    for (const m of text?.matchAll(/L@([^\s:'"]+)/g) ?? []) for (const id of m[1]!.split(',')) ids.add(id)
    for (const m of text?.matchAll(/^\s+- machines\.(\S+)$/gm) ?? []) ids.add(m[1]!)
  }
  return [...ids].sort().map((value) => ({ value }))
}

/** Every SLS of the built tree (`a/b.sls` is `a.b`, `a/init.sls` is `a`), with `pillar`, `top` and `grains`. */
function slsNames(out: string): Candidate[] {
  const root = join(out, 'salt')
  const names: string[] = []
  const walk = (dir: string, prefix: string) => {
    for (const entry of safeList(dir)) {
      if (entry.isDirectory()) {
        if (entry.name !== 'files') walk(join(dir, entry.name), `${prefix}${entry.name}.`)
      } else if (entry.name.endsWith('.sls') && !(prefix === '' && entry.name === 'top.sls')) {
        names.push(entry.name === 'init.sls' ? prefix.slice(0, -1) : `${prefix}${entry.name.slice(0, -4)}`)
      }
    }
  }
  walk(root, '')
  return names.sort().map((value) => ({ value }))
}

/** Dotted pillar keys from the JSON schema the build writes beside the pillar. */
function pillarKeys(out: string): Candidate[] {
  const text = read(join(out, 'pillar', 'schema.json'))
  if (text === undefined) return []
  const keys: string[] = []
  const walk = (node: unknown, path: string) => {
    const props = (node as { properties?: Record<string, unknown> } | null)?.properties
    if (props === undefined || typeof props !== 'object') return
    for (const [key, child] of Object.entries(props)) {
      const here = path === '' ? key : `${path}.${key}`
      keys.push(here)
      walk(child, here)
    }
  }
  try {
    walk(JSON.parse(text), '')
  } catch {
    return []
  }
  return keys.sort().map((value) => ({ value }))
}

/** The store's generations, newest first, described by time and kind. */
function generations(): Candidate[] {
  try {
    return new GenerationStore(defaultStateDir())
      .list()
      .reverse()
      .map((g) => ({ value: String(g.number), description: `${g.kind} ${g.time.replace(/\.\d+Z$/, 'Z')}` }))
  } catch {
    return []
  }
}

function positionalsOf(args: readonly string[], flags: readonly FlagSpec[]): string[] {
  const out: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg.startsWith('-')) {
      const f = flags.find((x) => `--${x.name}` === arg)
      if (f?.value !== undefined) i++
    } else out.push(arg)
  }
  return out
}

function flagValue(args: readonly string[], flags: readonly FlagSpec[], name: string): string | undefined {
  if (!flags.some((f) => f.name === name)) return undefined
  const at = args.lastIndexOf(`--${name}`)
  return at >= 0 ? args[at + 1] : undefined
}

const filter = (current: string, words: readonly Candidate[]) =>
  words.filter((w) => w.value.startsWith(current))
const only = (current: string, values: readonly string[]): Completion => ({
  kind: 'words',
  words: filter(current, dedupe(values.map((value) => ({ value })))),
})
const dedupe = (words: readonly Candidate[]) => [...new Map(words.map((w) => [w.value, w])).values()]

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
const safeList = (dir: string) => (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [])
