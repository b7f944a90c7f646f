import { describe, expect, it } from 'vitest'
import { dsl, REPO } from '../support/cli.ts'
import { userProject } from '../support/user-project.ts'
import { type DocProject, docProjects, documents, readDoc } from './doc-blocks.ts'

/** A user's project of its own holding a doc's blocks (their imports name files with `.ts`). */
const projectOf = (project: DocProject): string =>
  userProject(
    Object.fromEntries(project.blocks.map((b) => [b.path, b.text])),
    { allowImportingTsExtensions: true, skipLibCheck: true },
    { include: ['config'] },
  )

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
      const dir = projectOf(project)
      const check = dsl(['check'], {}, dir)
      expect(check.status, `${check.stdout}${check.stderr}`).toBe(0)
      const build = dsl(['build', '--no-typecheck'], {}, dir)
      expect(build.status, `${build.stdout}${build.stderr}`).toBe(0)
    })
  }
})
