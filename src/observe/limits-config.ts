/**
 * The config file's `limits`: how much each principal (an HTTP bearer token's name, `local` over stdio) and each
 * session may ask of the gateway, and how many HTTP sessions it keeps open in all. Every limit is optional but the
 * total session cap, which protects the process and has a default.
 */
import { z } from 'zod';

/** Names a bearer token may have (`--auth-token name=token`): also the keys of `limits.principals`. */
export const PRINCIPAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function count(path: string, what: string) {
  return z
    .number({ error: `${path} must be a number: ${what}` })
    .int({ error: `${path} must be a whole number: ${what}` })
    .positive({ error: `${path} must be 1 or more (leave it out for no limit): ${what}` })
    .optional();
}

function callLimits(path: string) {
  return {
    callsInFlight: count(`${path}.callsInFlight`, 'requests running at once'),
    callsPerMinute: count(
      `${path}.callsPerMinute`,
      'requests per minute, a token bucket that refills evenly',
    ),
  };
}

function object<T extends z.core.$ZodLooseShape>(path: string, shape: T) {
  return z.object(shape, { error: `${path} must be an object, e.g. {"callsPerMinute": 600}` });
}

/** What one principal may do: calls, and HTTP sessions open. */
const principalLimits = (path: string) =>
  object(path, {
    ...callLimits(path),
    sessions: count(`${path}.sessions`, 'HTTP sessions open at once'),
  });

/** The `limits` section. */
export const LimitsConfigSchema = object('limits', {
  /** Open HTTP sessions, all principals together. Default 1000 (the HTTP front door's `DEFAULT_MAX_SESSIONS`). */
  sessions: count('limits.sessions', 'HTTP sessions open at once, in all (default 1000)'),
  /** Each principal's limits (every principal has its own share). */
  perPrincipal: principalLimits('limits.perPrincipal').optional(),
  /** Each session's limits (a stdio connection, an HTTP session; not a stateless 2026-07-28 request). */
  perSession: object('limits.perSession', callLimits('limits.perSession')).optional(),
  /** Limits of named principals, replacing `perPrincipal`'s key by key. */
  principals: z
    .record(
      z.string().regex(PRINCIPAL_NAME, {
        error:
          'limits.principals: a principal is a token name: letters, digits, "_", "." and "-", up to 64 characters',
      }),
      principalLimits('limits.principals.<name>'),
    )
    .optional(),
});

/** The validated `limits` section. */
export type LimitsConfig = z.output<typeof LimitsConfigSchema>;
