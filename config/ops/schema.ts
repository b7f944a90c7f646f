// The `ops` part of the pillar: thresholds and directories of pre-flight, maintenance and reporting.
import { type Accessor, pillar, z } from 'salt-dsl'

/** What every machine gets unless a layer says otherwise (also written as the `defaults/ops` layer). */
export const OPS_DEFAULTS = {
  preflight: {
    /** Oldest Salt release the tree is tested with (compared with `grains['saltversioninfo']`). */
    min_salt_version: '3006',
    /** Free space required under `disk_path`, in MiB. */
    min_disk_mb: 1024,
    disk_path: '/',
    /** Check that the package source answers; turn off on offline machines. */
    check_network: true,
    /** Empty: the first source the package manager is configured with (apt, pacman). */
    package_source_url: '',
    network_timeout_s: 10,
    /** Minutes a successful reachability check holds (a stamp in `reports.dir/.cache`); 0 checks every run. */
    network_ttl_min: 60,
  },
  reports: {
    dir: '/var/lib/salt-dsl/reports',
    /** Minutes the status report reuses the list of available updates (asking apt takes seconds); 0: every run. */
    updates_ttl_min: 60,
  },
  backups: { dir: '/var/backups/salt-dsl', keep_days: 30 },
  cleanup: { tmp_dir: '/var/tmp/salt-dsl', tmp_age_days: 7 },
  compliance: {
    /** Profiles the compliance report holds machines to. */
    profiles: ['work'] as string[],
    /** Packages a compliant machine must have (e.g. security tools). */
    required_packages: [] as string[],
  },
}

const d = OPS_DEFAULTS

/** The zod schema of `ops` (add it to the pillar schema under the key `ops`). */
export const opsSchema = z.object({
  preflight: z
    .object({
      min_salt_version: z
        .string()
        .regex(/^\d+(\.\d+)*$/)
        .default(d.preflight.min_salt_version),
      min_disk_mb: z.number().int().nonnegative().default(d.preflight.min_disk_mb),
      disk_path: z.string().startsWith('/').default(d.preflight.disk_path),
      check_network: z.boolean().default(d.preflight.check_network),
      package_source_url: z.string().default(d.preflight.package_source_url),
      network_timeout_s: z.number().int().positive().default(d.preflight.network_timeout_s),
      network_ttl_min: z.number().int().nonnegative().default(d.preflight.network_ttl_min),
    })
    .prefault({}),
  reports: z
    .object({
      dir: z.string().startsWith('/').default(d.reports.dir),
      updates_ttl_min: z.number().int().nonnegative().default(d.reports.updates_ttl_min),
    })
    .prefault({}),
  backups: z
    .object({
      dir: z.string().startsWith('/').default(d.backups.dir),
      keep_days: z.number().int().positive().default(d.backups.keep_days),
    })
    .prefault({}),
  cleanup: z
    .object({
      tmp_dir: z.string().startsWith('/').default(d.cleanup.tmp_dir),
      tmp_age_days: z.number().int().positive().default(d.cleanup.tmp_age_days),
    })
    .prefault({}),
  compliance: z
    .object({
      profiles: z.array(z.string()).default(d.compliance.profiles),
      required_packages: z.array(z.string()).default(d.compliance.required_packages),
    })
    .prefault({}),
})

export type OpsPillar = z.output<typeof opsSchema>

/** The pillar keys ops reads: its own, and the few the config defines. */
export interface OpsView {
  readonly ops: OpsPillar
  readonly profile: string
  readonly packages: { readonly auto_update: boolean }
  readonly user: { readonly backup_existing_configs: boolean }
}

/** The global pillar accessor, typed for the keys ops reads. */
export const opsPillar = pillar as unknown as Accessor<OpsView>
