// Salt chooses its `service` module by init system. On a Debian host whose PID 1 is not systemd but which has
// systemctl installed (a container with the systemd package, as CI), it loads debian_service (the init.d
// scripts, through `service NAME start|status`) and systemd_service in its "offline" mode side by side;
// service.running and service.dead then find `service.offline` and return "Running in OFFLINE mode. Nothing
// to do": a declared service is never started, and a drift check never sees it stopped. Leaving
// systemd_service out makes the init.d scripts the service module there, as on a host without systemctl.
import { existsSync, readFileSync } from 'node:fs'

/** The `os` grains debian_service loads on (its __virtual__), as os-release's ID names them. */
const DEBIAN_SERVICE_IDS = new Set(['debian', 'raspbian', 'devuan'])
/** Where Salt's `which` finds systemctl besides PATH (it appends these). */
const SYSTEMCTL = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'].map(
  (d) => `${d}/systemctl`,
)

/** Minion options of a run on this host: `disable_modules: [systemd_service]` where it is offline only. */
export function serviceModuleOptions(): { disable_modules?: string[] } {
  if (process.platform !== 'linux') return {}
  // booted with systemd (Salt's own test): systemd_service alone, and online
  if (existsSync('/run/systemd/system')) return {}
  if (!SYSTEMCTL.some((p) => existsSync(p))) return {}
  return DEBIAN_SERVICE_IDS.has(osReleaseId() ?? '') ? { disable_modules: ['systemd_service'] } : {}
}

function osReleaseId(): string | undefined {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    if (!existsSync(file)) continue
    const m = /^ID="?([^"\n]*)"?$/m.exec(readFileSync(file, 'utf8'))
    return m?.[1]?.toLowerCase()
  }
  return undefined
}
