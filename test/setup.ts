import { afterAll } from 'vitest'
import { removeTempDirs } from './support/cli.ts'

// every test file leaves the temp dir as it found it
afterAll(removeTempDirs)
