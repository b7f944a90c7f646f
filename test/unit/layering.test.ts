import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO } from '../support/cli.ts'

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : []
  })
}

const IMPORT = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? '')
}

describe('layering', () => {
  it('dsl/ never imports compiler/ (the IR knows nothing of the stages)', () => {
    const offenders: string[] = []
    for (const file of sources(join(REPO, 'dsl'))) {
      for (const spec of importsOf(file)) {
        const target = spec.startsWith('.') ? resolve(file, '..', spec) : spec
        if (relative(REPO, target).startsWith('compiler') || spec.includes('compiler/')) {
          offenders.push(`${relative(REPO, file)} → ${spec}`)
        }
      }
    }
    expect(sources(join(REPO, 'dsl')).length).toBeGreaterThan(5)
    expect(offenders).toEqual([])
  })

  it('the scan sees imports (a file that imports compiler/ would be caught)', () => {
    const probe = join(REPO, 'compiler/compile.ts')
    expect(importsOf(probe)).toContain('./graph/build-graph.ts')
  })
})
