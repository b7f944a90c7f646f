// sh`...` and shellQuote: literals quoted as Python's shlex.quote (Salt's Jinja `quote`) does, and every
// quoted word read back by a real shell as exactly the value.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { homePath, sh, shellQuote, shellRaw } from '../../dsl/shell.ts'
import { REPO } from '../support/cli.ts'

const PYTHON = join(REPO, '.venv', 'bin', 'python3')
/** Strings a command line can carry (no NUL), with the characters that matter to a shell over-represented. */
const shellText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...'$`\'"\\;&|<>(){}[]*?~#!%=:,./-+@ \t\n'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => !c.includes('\0')),
  ),
  maxLength: 24,
})

describe('shell quoting', () => {
  it("writes each literal as Python's shlex.quote does (what Salt's quote filter renders)", () => {
    const samples = fc.sample(shellText, 400)
    const python = execFileSync(
      PYTHON,
      ['-c', 'import json, shlex, sys; print(json.dumps([shlex.quote(s) for s in json.load(sys.stdin)]))'],
      { input: JSON.stringify(samples), encoding: 'utf8' },
    )
    expect(samples.map(shellQuote)).toEqual(JSON.parse(python))
  })

  it('a real sh reads every quoted word back as exactly the value', () => {
    const samples = fc.sample(fc.array(shellText, { minLength: 1, maxLength: 4 }), 60)
    for (const words of samples) {
      const printed = execFileSync('sh', ['-c', sh`printf '%s\\0' ${words}`], { encoding: 'utf8' })
      expect(printed.split('\0').slice(0, -1)).toEqual(words)
    }
  })

  it('keeps literal text, shellRaw() and a home path as they are', () => {
    expect(
      sh`grep -q ${'a b'} ${['x', "y'z", '']} ${shellRaw('| wc -l')} ${homePath('ada', ".my 'rc")}`,
    ).toBe(`grep -q 'a b' x 'y'"'"'z' '' | wc -l ~ada/'.my '"'"'rc'`)
    expect(sh`test ${7} -gt ${-1}`).toBe('test 7 -gt -1')
  })
})
