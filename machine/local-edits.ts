import type { LocalEditPolicy } from '../dsl/local-edit.ts'
import type { SaltStateReturn } from './state-outcomes.ts'

/** A file a generation wrote, with its hash on the machine right after the apply. */
export interface WrittenFile {
  readonly id: string
  readonly name: string
  readonly sha256: string
}

/** A managed file whose content on the machine is no longer what the last apply wrote. */
export interface LocalEdit extends WrittenFile {
  readonly now: string
  readonly policy: LocalEditPolicy
  /** Where the user's version is copied before anything else happens to it. */
  readonly backup: string
}

/** The dotfiles (file.managed states in a home: `~user/…`) an apply left as its tree says. */
export function writtenDotfiles(
  result: Readonly<Record<string, SaltStateReturn>>,
): { id: string; name: string }[] {
  const out: { id: string; name: string }[] = []
  for (const [key, r] of Object.entries(result)) {
    const [module, id = '', name = '', fn] = key.split('_|-')
    if (module === 'file' && fn === 'managed' && name.startsWith('~') && r.result === true)
      out.push({ id: r.__id__ ?? id, name })
  }
  return out
}

/** The written files whose hash on the machine changed (a file now missing is drift, not an edit). */
export function localEdits(
  written: readonly WrittenFile[],
  now: ReadonlyMap<string, string>,
  policy: (id: string) => LocalEditPolicy,
  generation: number,
): LocalEdit[] {
  const out: LocalEdit[] = []
  for (const w of written) {
    const hash = now.get(w.name)
    if (hash === undefined || hash === w.sha256) continue
    out.push({ ...w, now: hash, policy: policy(w.id), backup: `${w.name}.local-${generation}` })
  }
  return out
}

/** The owner of a file in a home (`~ada/…` → `ada`), who copies it. */
export const homeOwner = (name: string): string | undefined => /^~([A-Za-z0-9_.-]+)\//.exec(name)?.[1]
