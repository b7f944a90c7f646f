import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { compile } from '../compile.ts'
import { hasErrors, sortDiagnostics, warning } from '../diagnostics.ts'
import { checkTemplates, templatesOf } from '../salt/check-templates.ts'
import { crossCheck, findSaltPython } from '../salt/crosscheck.ts'
import { writeTreeAtomic } from '../write/write-tree.ts'
import { parse } from './args.ts'
import { CliError, type Command } from './cli-error.ts'
import { report } from './report.ts'

export const command: Command = {
  summary: 'Type-check and validate a config without writing anything: the CI gate.',
  usage: 'dsl check [ENTRY] [--format json] [--salt] [--salt-python PATH]',
  async run(argv) {
    const { values, positionals } = parse(argv, {
      format: { type: 'string' },
      salt: { type: 'boolean', default: false },
      'salt-python': { type: 'string' },
    })
    if (values.format !== undefined && values.format !== 'json' && values.format !== 'text') {
      throw new CliError(`unknown --format '${values.format}' (text or json)`)
    }
    const entry = positionals[0] ?? 'config'
    const python = values.salt ? findSaltPython(values['salt-python'], resolve(entry)) : undefined
    if (values.salt && python === undefined) {
      throw new CliError('--salt needs a Python with Salt: run scripts/setup.sh, or pass --salt-python PATH')
    }
    const result = await compile({ entry, outDir: tmpdir(), emit: python !== undefined })
    let diagnostics = result.diagnostics
    const templates = result.loaded ? templatesOf(result.loaded.program, result.loaded.root) : []
    if (templates.length > 0 && !hasErrors(diagnostics)) {
      // the templates are parsed by the pinned Salt's Jinja: a syntax error or an unknown name fails at apply
      const jinja = python ?? findSaltPython(values['salt-python'], resolve(entry))
      diagnostics = sortDiagnostics([
        ...diagnostics,
        ...(jinja === undefined
          ? [
              warning(
                'DSL3088',
                `${templates.length} Jinja templates not checked: no Python with Salt found`,
                undefined,
                {
                  hint: 'run scripts/setup.sh (it makes .venv/ with the pinned Salt), or pass --salt-python PATH',
                },
              ),
            ]
          : await checkTemplates(templates, jinja, result.loaded?.root ?? resolve(entry))),
      ])
    }
    if (python !== undefined && result.tree !== undefined && result.resolution !== undefined) {
      // render every machine with the real Salt and compare with the compiler's own view of it
      const dir = mkdtempSync(join(tmpdir(), 'salt-dsl-check-'))
      try {
        await writeTreeAtomic(join(dir, 'out'), result.tree)
        diagnostics = sortDiagnostics([
          ...diagnostics,
          ...(await crossCheck(result.resolution, join(dir, 'out'), python)),
        ])
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
    const code = report(diagnostics, values.format)
    if (code === 0 && values.format !== 'json') {
      process.stderr.write(
        `ok: ${result.graph?.states.length ?? 0} states in ${result.graph?.sls.size ?? 0} SLS modules` +
          (python
            ? `, ${result.resolution?.machines.length ?? 0} machines rendered by Salt as predicted\n`
            : '\n'),
      )
    }
    return code
  },
}
