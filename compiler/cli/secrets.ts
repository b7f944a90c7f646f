/** `dsl secrets init | machine-key ID | rotate ID | recipients | audit | show NAME --machine ID --reveal`. */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import {
  exportPublic,
  fingerprintOf,
  fingerprintsInFile,
  generateKey,
  gpg,
  primaryFingerprints,
} from '../../secrets/gpg.ts'
import {
  machineKeydir,
  machineUid,
  OPERATOR_UID,
  operatorHome,
  projectKeys,
} from '../../secrets/key-paths.ts'
import type { SecretAudit } from '../../secrets/secret-pillar.ts'
import { findUp } from '../paths.ts'
import type { Command } from './cli-error.ts'

const USAGE = `usage: dsl secrets <command> [--dir CONFIG_DIR]
  init                 create the operator's key (${'$'}DSL_SECRETS_GNUPGHOME), export it to secrets/operator.asc
  machine-key ID       on machine ID: create its key in Salt's gpg_keydir (${'$'}DSL_GPG_KEYDIR, default
                       /etc/salt/gpgkeys) and export the public key to secrets/keys/ID.asc
  rotate ID            replace machine ID's key (rebuild and apply afterwards)
  recipients           the keys secrets are encrypted to
  audit [--out DIR]    which machine can read which secret (from the last build's secrets.json)
  show NAME --machine ID [--out DIR] [--reveal]
                       a secret as built for a machine; --reveal decrypts it with the operator's key`

interface Opts {
  dir: string
  out: string
  machine?: string | undefined
  reveal: boolean
  rest: string[]
}

function parse(argv: readonly string[]): Opts {
  const o: Opts = { dir: process.cwd(), out: 'out', reveal: false, rest: [] }
  let dirGiven = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--dir') {
      o.dir = argv[++i] ?? o.dir
      dirGiven = true
    } else if (a === '--out') o.out = argv[++i] ?? o.out
    else if (a === '--machine') o.machine = argv[++i]
    else if (a === '--reveal') o.reveal = true
    else o.rest.push(a)
  }
  // the project's root (its package.json), where the build reads secrets/ too, wherever the command runs in it
  o.dir = dirGiven ? resolve(o.dir) : findUp(resolve(o.dir), (dir) => existsSync(join(dir, 'package.json')))
  return o
}

const fail = (message: string): number => {
  process.stderr.write(`dsl secrets: ${message}\n`)
  return 1
}

/** Creates a key pair for `uid` in `home` (0700) unless one exists, and exports it to `file`. */
function ensureKey(home: string, uid: string, file: string, fresh: boolean): string | undefined {
  mkdirSync(home, { recursive: true, mode: 0o700 })
  chmodSync(home, 0o700)
  let fpr = fresh ? undefined : fingerprintOf(home, uid)
  if (fpr === undefined) {
    const made = generateKey(home, uid)
    if (!made.ok) {
      fail(`gpg could not create the key: ${made.stderr.trim()}`)
      return undefined
    }
    fpr = fingerprintOf(home, uid)
  }
  if (fpr === undefined) return undefined
  const pub = exportPublic(home, fpr)
  if (!pub.ok || pub.stdout === '') {
    fail(`gpg could not export the key: ${pub.stderr.trim()}`)
    return undefined
  }
  mkdirSync(dirname(file), { recursive: true })
  writeFileSync(file, pub.stdout)
  return fpr
}

async function run(argv: readonly string[]): Promise<number> {
  const o = parse(argv)
  const [sub, arg] = o.rest
  const keys = projectKeys(o.dir)
  switch (sub) {
    case 'init': {
      const fpr = ensureKey(operatorHome(), OPERATOR_UID, keys.operator, false)
      if (fpr === undefined) return 1
      process.stdout.write(`operator key ${fpr}\n  private: ${operatorHome()}\n  public:  ${keys.operator}\n`)
      return 0
    }
    case 'machine-key':
    case 'rotate': {
      if (arg === undefined) return fail(`${sub} needs a machine id\n${USAGE}`)
      const home = machineKeydir()
      const fpr = ensureKey(home, machineUid(arg), keys.machine(arg), sub === 'rotate')
      if (fpr === undefined) return 1
      if (sub === 'rotate') {
        // the old key goes, so pillar encrypted to it can no longer be read: rebuild before the next apply
        const old = primaryFingerprints(
          gpg(home, ['--with-colons', '--list-secret-keys', `=${machineUid(arg)}`]).stdout,
        ).filter((f) => f !== fpr)
        for (const f of new Set(old)) gpg(home, ['--delete-secret-and-public-key', f])
      }
      process.stdout.write(
        `machine ${arg}: key ${fpr}\n  private: ${home} (Salt's gpg_keydir)\n  public:  ${keys.machine(arg)}\n`,
      )
      if (sub === 'rotate')
        process.stdout.write('rebuild (dsl build) and apply: the secrets are re-encrypted to it\n')
      return 0
    }
    case 'recipients': {
      const scratch = mkdtempSync(join(tmpdir(), 'dsl-gpg-'))
      try {
        const files: [string, string][] = []
        if (existsSync(keys.operator)) files.push(['operator', keys.operator])
        const keyDir = dirname(keys.machine('x'))
        if (existsSync(keyDir))
          for (const f of readdirSync(keyDir).sort())
            if (f.endsWith('.asc')) files.push([`machine ${f.slice(0, -4)}`, join(keyDir, f)])
        for (const [who, f] of files)
          process.stdout.write(
            `${who}\t${fingerprintsInFile(scratch, f).join(',') || '(unreadable)'}\t${f}\n`,
          )
        if (files.length === 0)
          process.stdout.write('no keys: run dsl secrets init, then dsl secrets machine-key ID\n')
      } finally {
        rmSync(scratch, { recursive: true, force: true })
      }
      return 0
    }
    case 'audit': {
      const file = join(resolve(o.out), 'secrets.json')
      if (!existsSync(file)) return fail(`${file} is missing: build first (dsl build)`)
      const audit = JSON.parse(readFileSync(file, 'utf8')) as SecretAudit
      process.stdout.write('machine\tkey\tsecrets\n')
      for (const [id, m] of Object.entries(audit.machines))
        process.stdout.write(`${id}\t${m.key ?? '-'}\t${m.secrets.join(', ')}\n`)
      process.stdout.write('\nsecret\tsource\tversion\tmachines\n')
      for (const [name, s] of Object.entries(audit.secrets))
        process.stdout.write(`${name}\t${s.source}:${s.ref}\t${s.version ?? '-'}\t${s.machines.join(', ')}\n`)
      return 0
    }
    case 'show': {
      if (arg === undefined || o.machine === undefined)
        return fail(`show needs NAME and --machine ID\n${USAGE}`)
      const part = o.machine.replace(/[^A-Za-z0-9_-]/g, '_')
      const file = join(resolve(o.out), 'pillar', 'dsl_secrets', `${part}.sls`)
      if (!existsSync(file))
        return fail(`${file} is missing: machine ${o.machine} needs no secret, or build first`)
      const block = blockOf(readFileSync(file, 'utf8'), arg)
      if (block === undefined) return fail(`machine ${o.machine} has no secret '${arg}'`)
      if (!o.reveal) {
        process.stdout.write(
          `${arg} on ${o.machine} = ******** (encrypted; --reveal decrypts it with your key)\n`,
        )
        return 0
      }
      const home = process.env.DSL_REVEAL_GNUPGHOME ?? operatorHome()
      const dec = gpg(home, ['--decrypt', '--quiet'], block)
      if (!dec.ok) return fail(`cannot decrypt '${arg}' with the keys in ${home}: ${dec.stderr.trim()}`)
      process.stdout.write(`${dec.stdout}\n`)
      return 0
    }
    default:
      process.stderr.write(`${USAGE}\n`)
      return sub === undefined || sub === 'help' || sub === '--help' ? 0 : 2
  }
}

/** The armoured block of one secret in a `#!yaml|gpg` file we wrote (two-space key, four-space block). */
function blockOf(text: string, name: string): string | undefined {
  const lines = text.split('\n')
  const at = lines.indexOf(`  ${name}: |`)
  if (at < 0) return undefined
  const body: string[] = []
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('    ')) break
    body.push(l.slice(4))
  }
  return `${body.join('\n')}\n`
}

export const command: Command = {
  summary: 'Keys and audit of secrets: the operator key, machine keys, rotation, recipients, who reads what.',
  usage: USAGE.replace(/^usage: /, ''),
  run,
}
