// The bundled workstation configuration: what `dsl build` builds by default. Layers and states are
// declared by importing their modules; the inventory generates both top files.
import './pillar/defaults.ts'
import './pillar/environments.ts'
import './pillar/platforms.ts'
import './pillar/users.ts'
import './inventory.ts'
import { ops } from './profiles.ts'

// now that the profiles and machines are known: the orchestrate SLS, with one step per profile
ops.finish()

export { desktop, development, minimal, work } from './profiles.ts'
