import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dsl, REPO, tempDir } from '../support/cli.ts'
import { type DocProject, docProjects, documents, readDoc } from './doc-blocks.ts'

/** A user's project of its own: depends on salt-dsl by name, with a plain strict tsconfig. */
function userProject(project: DocProject): string {
  const dir = tempDir('salt-dsl-doc-')
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  symlinkSync(REPO, join(dir, 'node_modules', 'salt-dsl'))
  writeFileSync(join(dir, 'package.json'), '{ "name": "my-machines", "type": "module", "private": true }\n')
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    allowImportingTsExtensions: true,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['config'] }))
  for (const block of project.blocks) {
    mkdirSync(dirname(join(dir, block.path)), { recursive: true })
    writeFileSync(join(dir, block.path), block.text)
  }
  return dir
}

const projects = documents(REPO).flatMap((doc) => docProjects(doc, readDoc(REPO, doc)))

describe('every TypeScript block of the README and docs builds as a user’s project', () => {
  it('finds the blocks (the extractor cannot silently find none)', () => {
    expect(projects.filter((p) => p.skip === undefined).length).toBeGreaterThanOrEqual(2)
  })

  it('leaves a block out only for a stated reason', () => {
    for (const project of projects.filter((p) => p.skip !== undefined)) {
      const at = `${project.blocks[0]?.doc}:${project.blocks[0]?.line}`
      expect(project.skip?.length, at).toBeGreaterThan(10)
    }
  })

  for (const project of projects) {
    const at = `${project.blocks[0]?.doc}:${project.blocks[0]?.line}`
    if (project.skip !== undefined) continue
    it(`${at} (${project.blocks.map((b) => b.path).join(', ')}) passes dsl check and builds`, () => {
      expect(
        project.blocks.some((b) => b.path === 'config/index.ts'),
        'a project needs config/index.ts',
      ).toBe(true)
      const dir = userProject(project)
      const check = dsl(['check'], {}, dir)
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0)
      const build = dsl(['build', '--no-typecheck'], {}, dir)
      expect(build.status, `${build.stdout}${build.stderr}`).toBe(0)
    })
  }
})
