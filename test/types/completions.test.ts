import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Project, ts } from 'ts-morph'
import { describe, expect, it } from 'vitest'
import { REPO, tempDir } from '../support/cli.ts'

/** The completions an editor offers at `|` in a user's config, through the published declarations. */
function completionsAt(source: string): string[] {
  const dir = tempDir('salt-dsl-completions-')
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
  writeFileSync(join(dir, 'package.json'), '{ "name": "my-machines", "type": "module" }\n')
  const project = new Project({
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
    },
  })
  const at = source.indexOf('|')
  const file = project.createSourceFile(join(dir, 'index.ts'), source.replace('|', ''))
  const service = project.getLanguageService().compilerObject
  const found = service.getCompletionsAtPosition(file.getFilePath(), at, {})
  return (found?.entries ?? []).map((e) => e.name).sort()
}

describe('completions in the editor', () => {
  it('`pillar.` offers the schema’s keys and nothing internal', () => {
    const names = completionsAt(`import { pillarSchema, z } from 'salt-dsl'
const { pillar } = pillarSchema(z.object({ git: z.object({ email: z.string() }), motd: z.string() }))
pillar.|
`)
    expect(names).toEqual(['git', 'motd'])
  })

  it('`grains.` offers the core grains and nothing internal', () => {
    const names = completionsAt(`import { grains } from 'salt-dsl'
grains.|
`)
    expect(names).toContain('os_family')
    expect(names.filter((n) => n.startsWith('_'))).toEqual([])
  })
})
