/**
 * The suite's requirement sets: `requirements/<revision>.yaml` in the installed `@modelcontextprotocol/conformance`,
 * read at run time, so that a suite upgrade that changes what a revision requires changes the tests with it (and an
 * exclusion naming a scenario the set no longer has is caught, see expectations.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { parse } from 'yaml';

/** The folder of the installed suite. */
export const SUITE_DIR = path.dirname(
  createRequire(import.meta.url).resolve('@modelcontextprotocol/conformance/package.json'),
);

/** The protocol revisions the suite has requirement sets for, oldest first. */
export const REVISIONS = ['2025-11-25', '2026-07-28'] as const;

/** A protocol revision the suite can measure a server against (`--requirements <revision>`). */
export type Revision = (typeof REVISIONS)[number];

/** A scenario a revision runs and reports without counting it. */
export interface NotScored {
  readonly scenario: string;
  /** `extension`, `added-after-release` or `pending` (see the suite's README). */
  readonly reason: string;
  readonly note?: string;
}

/** What a revision asks of a server (the `server` leg of the set). */
export interface ServerRequirements {
  readonly revision: Revision;
  /** The scenarios that decide conformance, in the set's order. */
  readonly scored: readonly string[];
  /** The scenarios run for visibility only, in the set's order. */
  readonly notScored: readonly NotScored[];
  /** Every scenario `conformance server --requirements <revision>` runs: scored, then not scored. */
  readonly all: readonly string[];
}

/** The shape of a requirements file, as far as it is read here. */
interface RequirementsFile {
  readonly server?: readonly string[];
  readonly not_scored?: readonly { scenario: string; leg: string; reason: string; note?: string }[];
}

/**
 * The server requirements of `revision`, from the installed suite.
 *
 * @throws When the file is missing or has no server list (a suite whose layout changed).
 */
export function serverRequirements(revision: Revision): ServerRequirements {
  const file = path.join(SUITE_DIR, 'requirements', `${revision}.yaml`);
  const parsed = parse(readFileSync(file, 'utf8')) as RequirementsFile;
  if (parsed.server === undefined) throw new Error(`${file} has no server list`);
  const scored = [...parsed.server];
  const notScored = (parsed.not_scored ?? [])
    .filter((entry) => entry.leg === 'server')
    .map(({ scenario, reason, note }) => ({ scenario, reason, ...(note ? { note: note.trim() } : {}) }));
  return { revision, scored, notScored, all: [...scored, ...notScored.map((entry) => entry.scenario)] };
}
