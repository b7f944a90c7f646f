// Watches a directory tree with one watcher per directory. Node's recursive watch on Linux watches each
// file it found, and loses a file that an editor saves by writing a new one and renaming it over the old
// (sed -i, "safe write"): from then on, that file's changes raise no event at all. A directory's watcher
// sees every entry written, renamed or removed in it, whatever the inode.
import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs'
import { join, sep } from 'node:path'

export interface TreeWatcher {
  close(): void
}

/**
 * Calls `onChange` with the absolute path of each entry that changes under `root` (undefined when the
 * system did not say which), in the directories `skip` lets through. A directory that appears is watched
 * too, and the files already in it are reported.
 */
export function watchTree(
  root: string,
  onChange: (path: string | undefined) => void,
  skip: (dir: string) => boolean,
): TreeWatcher {
  const watchers = new Map<string, FSWatcher>()
  const add = (dir: string, announce: boolean) => {
    if (watchers.has(dir) || skip(dir)) return
    let watcher: FSWatcher
    try {
      watcher = watch(dir, (_event, name) => {
        if (name === null || name === undefined) return onChange(undefined)
        const path = join(dir, String(name))
        onChange(path)
        // an entry that was a watched directory changed (removed, renamed, made again): watch it afresh
        if (watchers.has(path)) drop(path)
        if (isDirectory(path)) add(path, true)
      })
    } catch {
      return // gone already, or not readable
    }
    watcher.on('error', () => {
      watcher.close()
      watchers.delete(dir)
    })
    watchers.set(dir, watcher)
    let entries: import('node:fs').Dirent[]
    try {
      entries = readdirSync(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) add(path, announce)
      else if (announce) onChange(path)
    }
  }
  const drop = (dir: string) => {
    for (const [path, watcher] of watchers) {
      if (path !== dir && !path.startsWith(`${dir}${sep}`)) continue
      watcher.close()
      watchers.delete(path)
    }
  }
  add(root, false)
  return {
    close() {
      for (const watcher of watchers.values()) watcher.close()
      watchers.clear()
    },
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}
