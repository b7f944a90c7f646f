/**
 * The questions of `dsl init` and `dsl machine add` on a terminal, through @clack/prompts (small, no
 * dependencies beyond its core, arrow-key selects, and a cancel that is a value rather than an exception).
 */
import { confirm, intro, isCancel, note, select, text } from '@clack/prompts'
import { CliError } from '../compiler/cli/cli-error.ts'

const ok = <T>(answer: T): Exclude<T, symbol> => {
  if (isCancel(answer)) throw new CliError('cancelled: nothing written', 1)
  return answer as Exclude<T, symbol>
}

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/
const nameCheck = (what: string) => (v: string | undefined) =>
  v !== undefined && v !== '' && !NAME.test(v) ? `a ${what} is letters, digits, ., _ and -` : undefined

export const heading = (title: string): void => intro(title)
export const show = (body: string, title: string): void => note(body, title)

export async function askName(message: string, initial: string, what: string): Promise<string> {
  const answer = ok(
    await text({ message, placeholder: initial, defaultValue: initial, validate: nameCheck(what) }),
  )
  return answer.trim() || initial
}

/** One of `choices`, or (with `other`) a name typed in. */
export async function askChoice(
  message: string,
  choices: readonly string[],
  initial: string,
  other?: string,
): Promise<string> {
  const options = choices.map((c) => ({ value: c, label: c }))
  if (other !== undefined) options.push({ value: '\0other', label: other })
  const picked = ok(
    await select({
      message,
      options,
      initialValue: choices.includes(initial) ? initial : (choices[0] ?? '\0other'),
    }),
  )
  return picked === '\0other' ? askName(`${message} (new name)`, initial, 'name') : picked
}

/** A list of user names, separated by commas or spaces. */
export async function askUsers(message: string, initial: readonly string[]): Promise<string[]> {
  const def = initial.join(', ')
  const answer = ok(
    await text({
      message,
      placeholder: def,
      defaultValue: def,
      validate: (v) =>
        splitUsers(v ?? '').every((u) => NAME.test(u))
          ? undefined
          : 'user names: letters, digits, ., _ and -',
    }),
  )
  return splitUsers(answer)
}

export const splitUsers = (s: string): string[] => s.split(/[\s,]+/).filter((u) => u !== '')

export async function askYes(message: string): Promise<boolean> {
  return ok(await confirm({ message, initialValue: true }))
}
