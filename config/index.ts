// The bundled workstation configuration: what `dsl build` builds by default. Layers and states are
// declared by importing their modules; the inventory generates both top files.
import './pillar/defaults.ts'
import './pillar/environments.ts'
import './pillar/platforms.ts'
import './pillar/users.ts'
import './inventory.ts'

export { desktop, development, minimal, work } from './profiles.ts'
