import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir, userInfo } from 'node:os'
import { join, relative } from 'node:path'
import { report } from '../compiler/cli/report.ts'
import { compile } from '../compiler/compile.ts'
import { lineDiff } from './line-diff.ts'
import type { FileChanges } from './machine-edits.ts'

/** What each file will become, as a diff per file (paths relative to the working directory). */
export function describeChanges(changes: FileChanges): string {
  return [...changes]
    .map(([file, text]) => `${relative(process.cwd(), file)}\n${lineDiff(readFileSync(file, 'utf8'), text)}`)
    .join('\n\n')
}

/** Writes the changes; returns a function that puts the files back as they were. */
export function writeChanges(changes: FileChanges): () => void {
  const before = new Map([...changes.keys()].map((f) => [f, readFileSync(f, 'utf8')]))
  for (const [file, text] of changes) writeFileSync(file, text)
  return () => {
    for (const [file, text] of before) writeFileSync(file, text)
  }
}

/** Compiles the config with the type-check (nothing written) and reports; true when it has no errors. */
export async function configBuilds(entry: string): Promise<boolean> {
  const scratch = mkdtempSync(join(tmpdir(), 'salt-dsl-onboard-'))
  try {
    const result = await compile({ entry, outDir: join(scratch, 'out'), emit: false })
    return report(result.diagnostics, undefined) === 0
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}

/** The person the machine is set up for: the one who ran sudo, else the one running this. */
export const defaultUser = (): string => process.env.SUDO_USER || userInfo().username
