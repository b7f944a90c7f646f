/**
 * What a command's usage line declares: its forms (positionals in order), its flags and what each flag
 * takes. Help prints the options from it and completion offers them, so a command's `usage` is the one
 * place its command line is written down.
 */

export interface FlagSpec {
  /** Without the dashes. */
  readonly name: string
  /** The placeholder it takes (`ID`, `DIR`, `text|markdown|json`), or undefined for a switch. */
  readonly value?: string
}

export interface UsageSpec {
  /** One per usage form: its positional words (`SLS`, `ENTRY`, `add`, `pillar|top|grains`), in order. */
  readonly forms: readonly (readonly string[])[]
  readonly flags: readonly FlagSpec[]
}

/** Reads `dsl show SLS [ENTRY] | dsl show pillar|top|grains --machine ID [ENTRY] [--format json]`. */
export function usageSpec(command: string, usage: string): UsageSpec {
  const forms: string[][] = []
  const flags = new Map<string, FlagSpec>()
  for (const form of usage.split(/\n|\|\s*(?=dsl\s)/)) {
    if (/^\s{9,}/.test(form)) continue // a description wrapped under its form
    const text = form
      .trim()
      .replace(/^usage:\s*/, '')
      .replace(/\s{2,}.*$/, '') // what follows a wide gap is prose: "(exit 0: ...)", a description
      .replace(/([\w.>])\s+\|\s+([A-Za-z<])/g, '$1|$2') // `REV | DIR` is one slot
      .trim()
    const tokens = text.split(/\s+/).filter((t) => t !== '' && t !== '|' && t !== '...' && t !== '[...]')
    if (tokens[0] === 'dsl') tokens.shift()
    if (tokens[0] === command) tokens.shift()
    const positionals: string[] = []
    for (let i = 0; i < tokens.length; i++) {
      const raw = tokens[i]!
      const word = bare(raw)
      if (word.startsWith('-')) {
        const next = tokens[i + 1]
        // a value belongs to the flag when it sits in the same bracket: `[--out DIR]`, `--machine ID`
        const takes =
          !raw.endsWith(']') && next !== undefined && !next.startsWith('[') && !next.startsWith('-')
        const name = word.replace(/^-+/, '').replace(/=.*$/, '')
        if (name !== '' && name !== 'help') {
          const value = takes ? bare(next) : undefined
          if (!flags.has(name) || value !== undefined) flags.set(name, value ? { name, value } : { name })
        }
        if (takes) i++
      } else if (WORD.test(word)) {
        positionals.push(word)
      } else break // prose: a wrapped description
    }
    forms.push(positionals)
  }
  return { forms, flags: [...flags.values()] }
}

// `SLS`, `add`, `pillar|top|grains`, `<command>`, `FILE.ts`
const WORD = /^(<[\w-]+>|[A-Za-z][\w.-]*(\|[A-Za-z][\w.-]*)*)$/

const bare = (token: string) => token.replace(/^[[(]+|[\])]+$/g, '').replace(/\.\.\.$/, '')
