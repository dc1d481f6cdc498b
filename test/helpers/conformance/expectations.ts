/**
 * What each conformance fixture claims: the revisions it is measured at, and, per revision, the scenarios of the
 * suite's requirement set it does not pass (each with the reason: which check, and why) and the checks it is expected
 * to report as WARNING or SKIPPED. Everything else in the set must pass, and any other warning or skip is a
 * regression.
 */
import { serverRequirements, type Revision } from './requirements.js';

/** The conformance fixtures in test/fixtures/servers/. */
export type ConformanceFixtureName = 'legacy' | 'modern';

/** One fixture's claims. */
export interface FixtureClaims {
  /** Its file in test/fixtures/servers/. */
  readonly file: string;
  /** The revisions it is measured at. */
  readonly revisions: readonly Revision[];
  /** Per revision: scenario → why the fixture does not pass it. */
  readonly excluded: Partial<Record<Revision, Readonly<Record<string, string>>>>;
  /** Per revision: scenario → ids of the checks expected to report WARNING. */
  readonly warnings: Partial<Record<Revision, Readonly<Record<string, readonly string[]>>>>;
  /** Per revision: scenario → ids of the checks expected to report SKIPPED. */
  readonly skipped: Partial<Record<Revision, Readonly<Record<string, readonly string[]>>>>;
}

/** The claims of each fixture. */
export const CONFORMANCE_FIXTURES: Readonly<Record<ConformanceFixtureName, FixtureClaims>> = {
  legacy: {
    file: 'conformance.mjs',
    revisions: ['2025-11-25'],
    excluded: {
      '2025-11-25': {
        'dns-rebinding-protection':
          "localhost-host-rebinding-rejected: Host/Origin validation belongs to the gateway's HTTP front door " +
          '(test/integration/http-rebinding.test.ts); this fixture accepts any Host, so the check gets 200 where ' +
          'it wants a 4xx, by design. The modern fixture validates them.',
      },
    },
    warnings: {},
    skipped: {
      '2025-11-25': {
        // The suite checks these SEP-2106 keywords from 2026-07-28 on; this fixture lists the 2025 schema
        // (SEP-1613's $schema, $defs, additionalProperties), so at 2025-11-25 the checks are skipped, not failed.
        'json-schema-2020-12': [
          'sep-2106-composition-keywords-preserved',
          'sep-2106-conditional-keywords-preserved',
          'sep-2106-anchor-keyword-preserved',
        ],
      },
    },
  },
  modern: {
    file: 'modern-conformance.mjs',
    revisions: ['2025-11-25', '2026-07-28'],
    excluded: {
      '2026-07-28': {
        'tasks-status-notifications':
          'The suite skips it outright (one SKIPPED check, tasks-status-notifications: its harness still watches ' +
          'the tools/call stream, while SEP-2663 sends task status on subscriptions/listen), so it checks nothing ' +
          'and cannot pass.',
      },
    },
    warnings: {},
    skipped: {},
  },
};

/**
 * The scenarios `fixture` must pass at `revision`: the revision's whole requirement set (scored and not scored, in
 * the set's order) but the fixture's exclusions.
 *
 * @throws When the fixture does not claim the revision, or an exclusion names a scenario the set does not have (the
 *   suite changed: the exclusion is stale).
 */
export function scenariosToPass(fixture: ConformanceFixtureName, revision: Revision): string[] {
  const claims = CONFORMANCE_FIXTURES[fixture];
  if (!claims.revisions.includes(revision))
    throw new Error(`the ${fixture} fixture does not claim ${revision}`);
  const all = serverRequirements(revision).all;
  const excluded = claims.excluded[revision] ?? {};
  const stale = Object.keys(excluded).filter((scenario) => !all.includes(scenario));
  if (stale.length > 0) throw new Error(`exclusions not in the ${revision} set: ${stale.join(', ')}`);
  return all.filter((scenario) => !(scenario in excluded));
}
