// The security baseline alone, for `dsl compliance` and the baseline's enforcement: the world-writable
// search in a throw-away home, the SSH rules read (and, with BASELINE_ENFORCE=ssh, written) under a
// temporary root, the firewall enforced (BASELINE_ENFORCE=firewall) through whatever `ufw` is first on
// PATH (the test's stand-in; this host's firewall is never touched).
import { top } from 'salt-dsl'
import { securityBaseline } from '../../../config/ops/baseline.ts'

const enforce = (process.env.BASELINE_ENFORCE ?? '').split(',')

export const baseline = securityBaseline([process.env.MACHINE_HOME || '/nonexistent'], {
  root: process.env.BASELINE_ROOT || '/nonexistent',
  enforce: { ssh: enforce.includes('ssh'), firewall: enforce.includes('firewall') },
})

top('*', [baseline])
