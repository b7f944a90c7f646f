// Shell completion through the shells themselves: bash runs the script's _dsl as its completion would,
// fish answers `complete -C`, zsh runs _dsl with its completion helpers standing in. The values come from
// a real build's out/ and a generation store, through the real CLI on PATH as `dsl`.
import { spawnSync } from 'node:child_process'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'

let project: string
let env: Record<string, string>

beforeAll(() => {
  project = tempDir('salt-dsl-completion-')
  const built = dsl(['build', join(REPO, 'config'), '--out', join(project, 'out'), '--no-typecheck'])
  expect(built.status, built.stderr).toBe(0)
  const bin = join(project, 'bin')
  mkdirSync(bin)
  symlinkSync(join(REPO, 'bin', 'dsl.js'), join(bin, 'dsl'))
  const store = join(project, 'store')
  for (const n of [1, 2, 3]) {
    mkdirSync(join(store, 'generations', String(n)), { recursive: true })
    const meta = {
      number: n,
      time: `2026-01-0${n}T10:00:00.000Z`,
      kind: n === 3 ? 'rollback' : 'apply',
      ...(n === 3 ? { of: 1 } : {}),
      project,
      user: 'root',
      tree: 'x',
      summary: { create: 0, change: 0, remove: 0, failed: 0, blocked: 0, unchanged: 1 },
    }
    writeFileSync(join(store, 'generations', String(n), 'meta.json'), JSON.stringify(meta))
  }
  env = { PATH: `${bin}:${process.env.PATH}`, DSL_STATE_DIR: store }
})

const MACHINES = ['arch-laptop', 'debian-ci', 'fedora-vm', 'mbp-work', 'ubuntu-desk']

function bash(words: string[]): string[] {
  const quoted = words.map((w) => `'${w}'`).join(' ')
  const script = `source <(dsl completion bash); COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _dsl; printf '%s\\n' "\${COMPREPLY[@]}"`
  const run = spawnSync('bash', ['-c', script], {
    cwd: project,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  })
  expect(run.status, run.stderr).toBe(0)
  return run.stdout.split('\n').filter((l) => l !== '')
}

describe('bash', () => {
  it('completes commands, and nothing hidden', () => {
    const all = bash(['dsl', ''])
    for (const c of [
      'build',
      'check',
      'show',
      'explain',
      'plan',
      'apply',
      'rollback',
      'completion',
      'version',
    ])
      expect(all).toContain(c)
    expect(all.some((c) => c.startsWith('__'))).toBe(false)
    expect(bash(['dsl', 'ro'])).toEqual(['rollback'])
  })

  it('completes the flags of a command from its usage', () => {
    expect(bash(['dsl', 'build', '--'])).toEqual(
      expect.arrayContaining(['--out', '--watch', '--no-typecheck', '--format', '--help']),
    )
    expect(bash(['dsl', 'diff', '--format', ''])).toEqual(['text', 'markdown', 'json'])
  })

  it('completes SLS names for dsl show, from the last build', () => {
    expect(bash(['dsl', 'show', 'dotfiles.'])).toEqual([
      'dotfiles.git',
      'dotfiles.neovim',
      'dotfiles.shell',
      'dotfiles.ssh',
      'dotfiles.tmux',
      'dotfiles.vim',
      'dotfiles.zsh',
    ])
    const first = bash(['dsl', 'show', ''])
    expect(first).toEqual(expect.arrayContaining(['base.packages', 'reporting', 'pillar', 'top', 'grains']))
    expect(first).not.toContain('top.sls')
  })

  it('completes machine IDs for --machine', () => {
    expect(bash(['dsl', 'explain', '--machine', ''])).toEqual(MACHINES)
    expect(bash(['dsl', 'show', 'pillar', '--machine', 'ub'])).toEqual(['ubuntu-desk'])
    expect(bash(['dsl', 'machine', 'remove', ''])).toEqual(MACHINES)
  })

  it('completes pillar keys for dsl explain', () => {
    const keys = bash(['dsl', 'explain', 'dotfiles.editor.'])
    expect(keys).toContain('dotfiles.editor.tab_width')
    expect(keys.every((k) => k.startsWith('dotfiles.editor.'))).toBe(true)
    expect(bash(['dsl', 'explain', '--machine', 'mbp-work', 'prof'])).toEqual(['profile'])
  })

  it('completes generation numbers for dsl rollback, newest first', () => {
    expect(bash(['dsl', 'rollback', ''])).toEqual(['3', '2', '1'])
  })

  it('falls back to directories where the usage wants a DIR or an ENTRY', () => {
    const dirs = bash(['dsl', 'build', '--out', ''])
    expect(dirs).toEqual(expect.arrayContaining(['out', 'bin', 'store']))
  })

  it('reads the --out DIR that was typed', () => {
    const other = join(project, 'elsewhere')
    mkdirSync(join(other, 'salt', 'only'), { recursive: true })
    writeFileSync(join(other, 'salt', 'only', 'this.sls'), '#!yaml\n')
    expect(bash(['dsl', 'plan', '--out', other, '--machine', ''])).toEqual([])
    expect(bash(['dsl', 'show', 'only.'])).toEqual([])
  })
})

describe('fish (setup --test installs it)', () => {
  it('answers complete -C with the same values', () => {
    const run = (line: string) => {
      const r = spawnSync('fish', ['-c', `source (dsl completion fish | psub); complete -C '${line}'`], {
        cwd: project,
        env: { ...process.env, ...env },
        encoding: 'utf8',
      })
      expect(r.status, r.stderr).toBe(0)
      return r.stdout.split('\n').filter((l) => l !== '')
    }
    expect(run('dsl show dotfiles.s')).toEqual(['dotfiles.shell', 'dotfiles.ssh'])
    expect(run('dsl plan --machine ')).toEqual(MACHINES)
    expect(run('dsl rollback ').map((l) => l.split('\t')[0])).toEqual(['3', '2', '1'])
    expect(run('dsl rollback ')[0]).toContain('rollback 2026-01-03T10:00:00Z')
  })
})

describe('dsl as a shell function (a project dependency, not on PATH)', () => {
  const cli = join(REPO, 'bin', 'dsl.js')
  const run = (shell: string, script: string) => {
    const r = spawnSync(shell, ['-c', script], {
      cwd: project,
      env: { ...process.env, DSL_STATE_DIR: env.DSL_STATE_DIR! },
      encoding: 'utf8',
    })
    expect(r.status, r.stderr).toBe(0)
    return r.stdout.split('\n').filter((l) => l !== '')
  }

  it('completes in bash', () => {
    const script = `dsl() { node ${cli} "$@"; }; source <(dsl completion bash); COMP_WORDS=(dsl show dev.); COMP_CWORD=2; _dsl; printf '%s\\n' "\${COMPREPLY[@]}"`
    expect(run('bash', script)).toEqual(['dev.packages', 'dev.services'])
  })

  it('completes in fish', () => {
    const script = `function dsl; node ${cli} $argv; end; source (dsl completion fish | psub); complete -C 'dsl show dev.'`
    expect(run('fish', script)).toEqual(['dev.packages', 'dev.services'])
  })
})

describe('zsh (setup --test installs it)', () => {
  it('registers _dsl with compdef and hands _describe the values', () => {
    const script = [
      'autoload -U compinit; compinit -u -D',
      'source <(dsl completion zsh)',
      'print -r -- "compdef: $_comps[dsl]"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: zsh's own expansion
      '_describe() { print -rl -- "${(@P)${@[-1]}}" }',
      '_files() { print -r -- "files $*" }',
      'words=(dsl show dotfiles.s); CURRENT=3; _dsl',
      "words=(dsl explain --machine ''); CURRENT=4; _dsl",
      "words=(dsl build ''); CURRENT=3; _dsl",
    ].join('\n')
    const r = spawnSync('zsh', ['-fc', script], {
      cwd: project,
      env: { ...process.env, ...env },
      encoding: 'utf8',
    })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout.split('\n').filter((l) => l !== '')).toEqual([
      'compdef: _dsl',
      'dotfiles.shell',
      'dotfiles.ssh',
      ...MACHINES,
      'files -/',
    ])
  })
})

describe('zsh, interactive', () => {
  it("lists the candidates when TAB is pressed in zsh's line editor (driven through zpty)", () => {
    // zpty -r waits for a pattern, so nothing here depends on how long the shell takes
    const script = [
      'zmodload zsh/zpty',
      "zpty z 'TERM=xterm zsh -f -i'",
      `zpty -w z 'PS1="ready> "; autoload -U compinit; compinit -u -D; source <(dsl completion zsh); print -r -- sourced'`,
      "zpty -r z out '*sourced*ready> '",
      "zpty -w -n z $'dsl plan --machine f\\t'",
      "zpty -r z out '*fedora-vm*'",
      "zpty -w -n z $'\\x15dsl show dotfiles.s\\t'",
      "zpty -r z out '*dotfiles.ssh*'",
      'print -r -- "$out"',
      'zpty -d z',
    ].join('\n')
    const r = spawnSync('zsh', ['-fc', script], {
      cwd: project,
      env: { ...process.env, ...env },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status, r.stderr).toBe(0)
    const screen = r.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;?]*[a-zA-Z]`, 'g'), '')
    expect(screen).toMatch(/dotfiles\.shell\s+dotfiles\.ssh/)
  })
})

describe('dsl completion', () => {
  it('prints each script, and says how to install one when the shell is missing', () => {
    expect(dsl(['completion', 'bash']).stdout).toContain('complete -o default -F _dsl dsl')
    expect(dsl(['completion', 'zsh']).stdout).toContain('compdef _dsl dsl')
    expect(dsl(['completion', 'fish']).stdout).toContain("complete -c dsl -f -k -a '(__dsl_complete)'")
    const missing = dsl(['completion'])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain("source <(dsl completion bash)' >> ~/.bashrc")
  })
})
