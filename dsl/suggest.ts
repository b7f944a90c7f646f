/** "Did you mean": the nearest of some names to a misspelled one. */

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), or `limit + 1` as soon as
 * it is certain to exceed `limit`.
 */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1
  let prev2: number[] = []
  let prev: number[] = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur: number[] = [i]
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1)
      cur.push(d)
      if (d < rowMin) rowMin = d
    }
    if (rowMin > limit) return limit + 1
    prev2 = prev
    prev = cur
  }
  return prev[b.length]!
}

/** How many edits still count as a typo of a word this long: 1 up to 4 characters, then about a third. */
export function threshold(length: number): number {
  return Math.max(1, Math.floor(length / 3))
}

/** The candidate nearest to `word` within `limit` edits (ties: the smallest), or undefined. */
export function closest(
  word: string,
  candidates: Iterable<string>,
  limit = threshold(word.length),
): string | undefined {
  let best: string | undefined
  let bestDistance = limit + 1
  for (const candidate of candidates) {
    const d = distance(word, candidate.toLowerCase(), limit)
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate
      bestDistance = d
    }
  }
  return bestDistance <= limit ? best : undefined
}
