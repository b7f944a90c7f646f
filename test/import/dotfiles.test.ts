// dsl import dotfiles: a stow and a chezmoi layout (recorded as their tools lay them out) become dotfile()
// calls with the files shipped as they are; Salt renders one managed file per dotfile, from the shipped copy.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { dsl, tempDir } from '../support/cli.ts'
import { GRAINS, SaltOracle } from '../support/salt.ts'

let oracle: SaltOracle
beforeAll(async () => {
  oracle = await SaltOracle.start()
})
afterAll(async () => {
  await oracle?.close()
})

function tree(files: Record<string, string>): string {
  const dir = tempDir()
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

type High = Record<string, { file?: unknown[]; __sls__?: string }>
const managed = (high: High) =>
  Object.fromEntries(
    Object.entries(high)
      .filter(([, s]) => s.file?.includes('managed'))
      .map(([id, s]) => [id, Object.assign({}, ...(s.file ?? []).filter((a) => typeof a === 'object'))]),
  )

async function importAndRender(dir: string) {
  const to = join(tempDir(), 'config')
  const imported = dsl(['import', 'dotfiles', dir, '--to', to, '--user', 'ada'])
  expect(imported.status, imported.stdout + imported.stderr).toBe(0)
  const out = join(tempDir(), 'out')
  const built = dsl(['build', to, '--out', out])
  expect(built.status, built.stdout + built.stderr).toBe(0)
  const spec = {
    id: 'm',
    fileRoot: join(out, 'salt'),
    pillarRoot: join(out, 'pillar'),
    grains: GRAINS.debian,
  }
  const high = await oracle.call(spec, 'state.show_sls', ['dotfiles'])
  expect(high.retcode, high.stdout + high.stderr).toBe(0)
  return { to, out, imported, files: managed(high.data as High) }
}

describe('dsl import dotfiles', () => {
  it('a GNU stow layout: each package mirrors the home', async () => {
    const dir = tree({
      'bash/.bashrc': 'alias ll="ls -l"\n',
      'git/.config/git/config': '[user]\n\tname = Ada\n',
    })
    const { files, out, imported } = await importAndRender(dir)
    expect(imported.stdout).toContain('stow layout')
    expect(Object.keys(files).sort()).toEqual(['~ada/.bashrc', '~ada/.config/git/config'])
    expect(files['~ada/.bashrc'].source).toBe('salt://dotfiles/.bashrc')
    expect(readFileSync(join(out, 'salt/dotfiles/.config/git/config'), 'utf8')).toBe('[user]\n\tname = Ada\n')
  })

  it('a chezmoi layout: dot_ and private_ names, and a .tmpl left out with the reason', async () => {
    const dir = tree({
      dot_zshrc: 'setopt autocd\n',
      'private_dot_ssh/private_config': 'Host *\n  IdentitiesOnly yes\n',
      'dot_gitconfig.tmpl': '[user]\n\temail = {{ .email }}\n',
    })
    const { files, imported } = await importAndRender(dir)
    expect(imported.stdout).toContain('chezmoi layout')
    expect(imported.stdout + imported.stderr).toContain("'dot_gitconfig.tmpl' is a template")
    expect(Object.keys(files).sort()).toEqual(['~ada/.ssh/config', '~ada/.zshrc'])
    expect(files['~ada/.ssh/config'].source).toBe('salt://dotfiles/.ssh/config')
    expect(files['~ada/.ssh/config'].mode).toBe('0600')
  })
})
