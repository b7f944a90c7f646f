// Hand-written Salt in the emitted tree: a directory of `.sls` files (and their `map.jinja`, templates,
// files), such as a vendored community formula, shipped as it is under out/salt/.
import { SLS, type SlsHandle } from './handle.ts'
import { callSite } from './origin.ts'
import { addIssue, session } from './session.ts'

const NAME_RE = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/

/** A shipped directory: its root SLS (`include`, `top`), and `sls('x')` for the SLS `<root>.x` inside it. */
export type SaltDirHandle = SlsHandle & {
  /** The SLS `<root>.<name>` of the directory, e.g. `nginx.ng.service` for `sls('ng.service')`. */
  readonly sls: (name: string) => SlsHandle
}

/**
 * Ships a directory of the config tree (relative to the config root) into the tree under out/salt/: by
 * default under its own name (`vendor/nginx-formula/nginx` → `salt://nginx`, SLS `nginx`, `nginx.ng`, …).
 * Its states are reached from TypeScript with `external()`; `dsl check --salt` checks those exist.
 * @example
 * const nginx = saltDir('vendor/nginx-formula/nginx')
 * top('web*', [nginx, site])
 */
export function saltDir(path: string, options: { readonly as?: string } = {}): SaltDirHandle {
  const origin = callSite(saltDir)
  const clean = path.replace(/^\.\//, '').replace(/\/+$/, '')
  const as = options.as ?? clean.split('/').at(-1) ?? ''
  if (clean.startsWith('/') || clean.split('/').includes('..')) {
    addIssue(
      'DSL1073',
      `saltDir('${path}') is outside the config tree`,
      origin,
      'use a path relative to the config root',
    )
  }
  if (!NAME_RE.test(as)) {
    const hint = 'pass { as: "name" }: a `/`-separated path of letters, digits, _ and -'
    addIssue('DSL1073', `saltDir('${path}'): '${as}' cannot be a path under salt://`, origin, hint)
  }
  session().assets.push(Object.freeze({ kind: 'asset', path: clean, dir: as, origin }))
  const root = as.replace(/\//g, '.')
  const handle = (name: string): SlsHandle => Object.freeze({ [SLS]: name, name })
  return Object.freeze({ ...handle(root), sls: (name: string) => handle(`${root}.${name}`) })
}
