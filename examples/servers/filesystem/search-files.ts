import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Limits that keep one search from walking a huge tree or flooding the client. */
export interface SearchLimits {
  /** Most matches returned. */
  maxResults: number;
  /** Most directory entries examined. */
  maxVisited: number;
}

/** Outcome of {@link searchFiles}. */
export interface SearchOutcome {
  /** Real absolute paths of matching entries, in walk order (breadth-first, names sorted). */
  matches: string[];
  /** Whether a limit stopped the walk before it was complete. */
  truncated: boolean;
}

/**
 * A case-insensitive name matcher: `*` and `?` make `pattern` a glob over the whole name (`*.md`),
 * otherwise it matches any name that contains it (`todo`).
 */
export function nameMatcher(pattern: string): (name: string) => boolean {
  if (!/[*?]/.test(pattern)) {
    const needle = pattern.toLowerCase();
    return (name) => name.toLowerCase().includes(needle);
  }
  const source = [...pattern]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replaceAll(/[$()+.[\\\]^{|}]/g, '\\$&')))
    .join('');
  const regex = new RegExp(`^${source}$`, 'is');
  return (name) => regex.test(name);
}

/**
 * Walks `start` (a real directory path) looking for entry names that match `pattern`. Symlinks are
 * reported when their own name matches but never descended into, so the walk cannot leave the tree;
 * unreadable directories are skipped.
 */
export async function searchFiles(
  start: string,
  pattern: string,
  limits: SearchLimits,
): Promise<SearchOutcome> {
  const matches = nameMatcher(pattern);
  const found: string[] = [];
  const queue = [start];
  let visited = 0;
  while (queue.length > 0) {
    const dir = queue.shift() as string;
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (++visited > limits.maxVisited) return { matches: found, truncated: true };
      const full = path.join(dir, entry.name);
      if (matches(entry.name)) {
        if (found.length === limits.maxResults) return { matches: found, truncated: true };
        found.push(full);
      }
      // Dirent types come from lstat semantics: a symlink to a directory is not a directory here.
      if (entry.isDirectory()) queue.push(full);
    }
  }
  return { matches: found, truncated: false };
}
