/**
 * "Did you mean" for an unknown config key: the known key it most likely stands for, from its spelling (case,
 * `_` and `-` ignored; a couple of typos) or from the names other tools and habits use for the same thing.
 */

/** A likely intended key, with a word of explanation when the two do not mean quite the same. */
export interface KeySuggestion {
  readonly key: string;
  readonly note?: string;
}

/**
 * Names people write for our keys, by normalized spelling (see {@link normalize}). Each lists candidates in order;
 * the first one known where the unknown key was found wins, so `arguments` is `args` on a server and `params` on a
 * pipeline step. An alias none of whose candidates is known there gets no suggestion at all.
 */
const ALIASES: Readonly<Record<string, readonly string[]>> = {
  environment: ['env'],
  enviroment: ['env'],
  environ: ['env'],
  envs: ['env'],
  envvars: ['env'],
  variables: ['env'],
  vars: ['env'],
  arguments: ['args', 'params'],
  argv: ['args'],
  args: ['params'],
  parameters: ['params'],
  input: ['params'],
  inputs: ['input', 'params'],
  cmd: ['command'],
  exec: ['command'],
  executable: ['command'],
  program: ['command'],
  workingdirectory: ['cwd'],
  workingdir: ['cwd'],
  workdir: ['cwd'],
  dir: ['cwd'],
  directory: ['cwd'],
  timeout: ['timeoutMs'],
  startuptimeout: ['startupTimeoutMs'],
  enabled: ['disabled'],
  enable: ['disabled'],
  disable: ['disabled'],
  endpoint: ['url'],
  uri: ['url'],
  baseurl: ['url'],
  serverurl: ['url'],
  transport: ['type'],
  passthrough: ['envPassthrough'],
  passenv: ['envPassthrough'],
  inherit: ['inheritEnv'],
  inheritenvironment: ['inheritEnv'],
  restartpolicy: ['restart'],
  health: ['healthCheck'],
  ping: ['healthCheck'],
  maxmessagesize: ['maxMessageBytes'],
  comment: ['description'],
  desc: ['description'],
  backends: ['servers'],
  dependson: ['after'],
  needs: ['after'],
};

/** Why an alias does not mean quite the same as the key it points to. */
const NOTES: Readonly<Record<string, string>> = {
  enabled: '"disabled" has the opposite sense: "disabled": true is "enabled": false',
  enable: '"disabled" has the opposite sense: "disabled": true is "enabled": false',
};

/** The known key `unknown` most likely stands for, or undefined when none is close. */
export function suggestKey(unknown: string, known: readonly string[]): KeySuggestion | undefined {
  const written = normalize(unknown);
  const sameSpelling = known.find((key) => normalize(key) === written);
  if (sameSpelling !== undefined) return { key: sameSpelling };
  const aliases = ALIASES[written];
  if (aliases !== undefined) {
    const key = aliases.find((candidate) => known.includes(candidate));
    if (key === undefined) return undefined;
    const note = NOTES[written];
    return note === undefined ? { key } : { key, note };
  }
  // Short keys tolerate one typo, longer ones two: `cwd` is not `id`, but `descripton` is `description`.
  const tolerance = written.length <= 4 ? 1 : 2;
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(written, normalize(key));
    if (distance <= tolerance && (best === undefined || distance < best.distance)) best = { key, distance };
  }
  return best && { key: best.key };
}

/** Lower case, without `_`, `-` and spaces: `working_directory`, `Working-Directory` and `workingDirectory` agree. */
function normalize(key: string): string {
  return key.toLowerCase().replace(/[\s_-]/g, '');
}

/** Levenshtein distance: insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
