/**
 * The globs of access rules: `*` stands for any run of characters, `?` for one; everything else is itself. A whole
 * name must match. `server.name` patterns are split at their first dot (server names have none), so that the
 * server side and the item side are matched apart and a server glob never reaches into an item's name.
 */

/** A compiled glob, with the text it was written as (refusals quote it). */
export interface Glob {
  readonly text: string;
  test(value: string): boolean;
}

/** A compiled `server.name` pattern. */
export interface QualifiedGlob {
  readonly text: string;
  readonly server: Glob;
  readonly item: Glob;
}

/** Compiles one glob. A glob without wildcards is a string comparison. */
export function compileGlob(text: string): Glob {
  if (!/[*?]/.test(text)) return { text, test: (value) => value === text };
  const source = text.replace(/[.+^${}()|[\]\\*?]/g, (char) =>
    char === '*' ? '.*' : char === '?' ? '.' : `\\${char}`,
  );
  const pattern = new RegExp(`^${source}$`, 's');
  return { text, test: (value) => pattern.test(value) };
}

/** Compiles a `server.name` pattern (the config's schema made sure it has a dot). */
export function compileQualified(text: string): QualifiedGlob {
  const dot = text.indexOf('.');
  return { text, server: compileGlob(text.slice(0, dot)), item: compileGlob(text.slice(dot + 1)) };
}

/** The first glob of `globs` that `value` matches. */
export function firstMatch(globs: readonly Glob[], value: string): Glob | undefined {
  return globs.find((glob) => glob.test(value));
}
