/** The argument that makes the CLI run as watch mode's full checker (in a worker thread only). */
export const CHECKER_ARG = '--salt-dsl-full-check'
