import { describe, expect, it } from 'vitest';

import { ServerConfigSchema } from '../../../src/backends/server-config.js';
import { GatewayConfigSchema } from '../../../src/config/schema.js';
import { editDistance, suggestKey } from '../../../src/config/suggest-key.js';
import { findUnknownKeys } from '../../../src/config/unknown-keys.js';

const SERVER_KEYS = Object.keys(ServerConfigSchema.shape);

/** The warnings of a config, as `path: message` lines. */
function warningsOf(json: unknown): string[] {
  return findUnknownKeys(GatewayConfigSchema, json).map((problem) => {
    expect(problem.severity).toBe('warning');
    return `${problem.path}: ${problem.message}`;
  });
}

describe('findUnknownKeys', () => {
  it('finds nothing in a config using every known key at every level', () => {
    const server = Object.fromEntries(SERVER_KEYS.map((key) => [key, null]));
    const json = {
      servers: {
        a: { ...server, restart: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1, resetAfterMs: 1 } },
        b: { command: 'x', healthCheck: { intervalMs: 1, timeoutMs: 1 }, tools: { allow: ['t'] } },
      },
      mcpServers: { c: { command: 'x', restart: false } },
      pipelines: {
        p: {
          description: 'd',
          input: { state: { description: 'd', default: 'CA', required: true } },
          steps: [
            {
              id: 's',
              server: 'a',
              tool: 't',
              params: { any: { nested: 1 } },
              after: [],
              timeoutMs: 1,
              optional: true,
            },
          ],
        },
      },
      registration: { allowCommands: [] },
      expose: 'all',
    };

    expect(warningsOf(json)).toEqual([]);
  });

  it('warns at every level the brief names, with the JSON path', () => {
    const json = {
      serverz: {},
      servers: {
        a: {
          command: 'x',
          enviroment: {},
          restart: { maxAttempt: 3 },
          healthCheck: { interval: 1000 },
        },
      },
      registration: { allowedCommands: [] },
      pipelines: {
        p: {
          inputs: {},
          input: { state: { defualt: 'CA' } },
          steps: [{ server: 'a', tool: 't', arguments: {} }],
        },
      },
    };

    expect(warningsOf(json)).toEqual([
      'serverz: unknown key, ignored; did you mean "servers"?',
      'servers.a.enviroment: unknown key, ignored; did you mean "env"?',
      'servers.a.restart.maxAttempt: unknown key, ignored; did you mean "maxAttempts"?',
      'servers.a.healthCheck.interval: unknown key, ignored; did you mean "intervalMs"?',
      'registration.allowedCommands: unknown key, ignored; did you mean "allowCommands"?',
      'pipelines.p.inputs: unknown key, ignored; did you mean "input"?',
      'pipelines.p.input.state.defualt: unknown key, ignored; did you mean "default"?',
      'pipelines.p.steps.0.arguments: unknown key, ignored; did you mean "params"?',
    ]);
  });

  it('lists the known keys when nothing is close', () => {
    expect(warningsOf({ servers: { a: { command: 'x', restart: { flavour: 1 } } }, zzz: 1 })).toEqual([
      'servers.a.restart.flavour: unknown key, ignored; known keys here: maxAttempts, initialDelayMs, maxDelayMs, resetAfterMs',
      'zzz: unknown key, ignored; known keys here: servers, mcpServers, pipelines, registration, expose, pinning, audit, limits, auth, access, drainTimeoutMs',
    ]);
  });

  it('says that "enabled" means the opposite of "disabled"', () => {
    expect(warningsOf({ servers: { a: { command: 'x', enabled: false } } })).toEqual([
      'servers.a.enabled: unknown key, ignored; did you mean "disabled"? ("disabled" has the opposite sense: "disabled": true is "enabled": false)',
    ]);
  });

  it('leaves keys the schema refuses, and values of the wrong type, to the schema', () => {
    expect(
      warningsOf({
        servers: { a: { command: 'x', tools: { allow: [], extra: 1 } }, b: 'not an object', c: [{ x: 1 }] },
        pipelines: [],
        registration: 'x',
      }),
    ).toEqual([]);
  });

  it('reads the free-form parts (params, a default) as values, not as keys', () => {
    const json = {
      pipelines: {
        p: {
          input: { q: { default: { anything: 1 } } },
          steps: [{ server: 'a', tool: 't', params: { whatever: 1 } }],
        },
      },
    };

    expect(warningsOf(json)).toEqual([]);
  });
});

describe('suggestKey', () => {
  it.each([
    ['environment', 'env'],
    ['enviroment', 'env'],
    ['ENV', 'env'],
    ['arguments', 'args'],
    ['argv', 'args'],
    ['cmd', 'command'],
    ['Command', 'command'],
    ['workingDirectory', 'cwd'],
    ['working_directory', 'cwd'],
    ['workdir', 'cwd'],
    ['timeout', 'timeoutMs'],
    ['timeout_ms', 'timeoutMs'],
    ['enabled', 'disabled'],
    ['disable', 'disabled'],
    ['inherit_env', 'inheritEnv'],
    ['env_passthrough', 'envPassthrough'],
    ['passthrough', 'envPassthrough'],
    ['startup_timeout', 'startupTimeoutMs'],
    ['startupTimeout', 'startupTimeoutMs'],
    ['health_check', 'healthCheck'],
    ['max_message_bytes', 'maxMessageBytes'],
    ['header', 'headers'],
    ['endpoint', 'url'],
    ['transport', 'type'],
    ['descripton', 'description'],
    ['comment', 'description'],
    ['prefx', 'prefix'],
  ])('suggests, on a server, %j → %j', (unknown, key) => {
    expect(suggestKey(unknown, SERVER_KEYS)?.key).toBe(key);
  });

  it('suggests the alias target known where the key was found', () => {
    const stepKeys = ['id', 'server', 'tool', 'params', 'after', 'timeoutMs', 'optional'];
    expect(suggestKey('arguments', stepKeys)).toEqual({ key: 'params' });
    expect(suggestKey('args', stepKeys)).toEqual({ key: 'params' });
    expect(suggestKey('dependsOn', stepKeys)).toEqual({ key: 'after' });
    expect(suggestKey('timeout', stepKeys)).toEqual({ key: 'timeoutMs' });
  });

  it('suggests nothing for an alias with no target here, nor for a far spelling', () => {
    expect(suggestKey('environment', ['servers', 'pipelines'])).toBeUndefined();
    expect(suggestKey('name', SERVER_KEYS)).toBeUndefined();
    expect(suggestKey('xyz', SERVER_KEYS)).toBeUndefined();
    expect(suggestKey('id', ['cwd'])).toBeUndefined();
  });
});

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['timeout', 'timeoutms', 2],
    ['same', 'same', 0],
  ])('between %j and %j is %d', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});
