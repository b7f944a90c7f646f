/**
 * How deep a value may nest (a collection counts one level). Salt reads YAML, and walks what it read,
 * recursively under Python's recursion limit of 1,000 frames: `salt-call` 3008.4 reads a state argument
 * nested 481 levels deep and a pillar value 486 levels deep, and fails beyond (RecursionError). A minion
 * or master daemon, salt-ssh and orchestrate start from deeper stacks, so the limit keeps a wide margin.
 */
export const MAX_DEPTH = 200

/**
 * How deep a value or a condition written into a Jinja expression may nest (a `byPlatform` value is a
 * Jinja literal; `and`/`or`/`not` nest parentheses). Jinja's parser spends about 13 Python frames per
 * level: Salt 3008.4 renders a literal nested 71 levels deep and fails at 72, a condition somewhere
 * between 60 and 70 levels deep.
 */
export const MAX_JINJA_DEPTH = 32
