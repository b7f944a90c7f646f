import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The renderer pipes the tests use: plain YAML, or Jinja first and then YAML. */
export type SaltRenderer = 'yaml' | 'jinja|yaml'

/**
 * One text to render, as an SLS file with this render pipe. `loader: 'pure'` reads the YAML with Salt's loader
 * on PyYAML's pure-Python SafeLoader (Salt's fallback without libyaml) instead of CSafeLoader.
 */
export interface SaltRenderInput {
  readonly text: string
  readonly renderer: SaltRenderer
  readonly loader?: 'libyaml' | 'pure'
}

/** What Salt reported for a text it could not render. */
export class SaltRenderFailure {
  constructor(readonly error: string) {}
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const python = join(root, '.venv', 'bin', 'python')
const script = join(root, 'test', 'support', 'salt-render.py')

/**
 * Renders every text with the real Salt (`.venv/bin/python`) in one Python process and returns the data
 * Salt produced, in input order. A text Salt rejects yields a `SaltRenderFailure`.
 *
 * @example
 * await renderWithSalt([{ text: 'a: on\n', renderer: 'yaml' }]) // [{ a: true }]
 */
export async function renderWithSalt(texts: readonly SaltRenderInput[]): Promise<unknown[]> {
  if (!existsSync(python)) {
    throw new Error(`Salt is not installed: ${python} is missing (create the project venv with Salt 3008.4)`)
  }
  const input = texts
    .map(({ text, renderer, loader }) => `${JSON.stringify({ text, renderer, loader })}\n`)
    .join('')
  const output = await run(input)
  const lines = output.split('\n').filter((line) => line !== '')
  if (lines.length !== texts.length) {
    throw new Error(`salt-render.py answered ${lines.length} lines for ${texts.length} texts`)
  }
  return lines.map((line) => decodeResult(JSON.parse(line)))
}

function run(input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [script], { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.stdin.on('error', reject)
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'))
      else reject(new Error(`salt-render.py exited with ${code}: ${Buffer.concat(err).toString('utf8')}`))
    })
    child.stdin.end(input, 'utf8')
  })
}

function decodeResult(result: { data?: unknown; error?: string }): unknown {
  if (typeof result.error === 'string') return new SaltRenderFailure(result.error)
  return decodeValue(result.data)
}

const floats: Record<string, number> = { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, '-inf': -Infinity }

function decodeValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeValue)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value)
  const [first] = entries
  if (entries.length === 1 && first && first[0] === '$float' && typeof first[1] === 'string') {
    return floats[first[1]]
  }
  if (entries.some(([key]) => key.startsWith('$') && !key.startsWith('$$'))) return value
  const decoded: Record<string, unknown> = {}
  for (const [key, item] of entries) {
    Object.defineProperty(decoded, key.startsWith('$') ? key.slice(1) : key, {
      value: decodeValue(item),
      enumerable: true,
      writable: true,
      configurable: true,
    })
  }
  return decoded
}
