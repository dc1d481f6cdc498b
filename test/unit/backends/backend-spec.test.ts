import { describe, expect, it } from 'vitest';

import {
  buildChildEnv,
  formatCommandLine,
  passthroughEnv,
  toBackendSpec,
} from '../../../src/backends/backend-spec.js';

/** The gateway's environment in these tests. */
const parent = {
  PATH: '/usr/bin',
  HOME: '/home/ada',
  GITHUB_TOKEN: 'ghp_123',
  AWS_PROFILE: 'dev',
  EMPTY: '',
  UNRELATED: 'u',
  MCP_GATEWAY_AUTH_TOKEN: 'gateway-secret',
};

/** The environment the backend of this config entry would be started with. */
function childEnvOf(config: Parameters<typeof toBackendSpec>[1]): Record<string, string> {
  const spec = toBackendSpec('a', config, '/config', parent);
  return buildChildEnv(spec.env, spec.inheritEnv, parent);
}

describe('envPassthrough', () => {
  it('hands the named variables to the backend as they are, beside the minimal ones and nothing else', () => {
    expect(childEnvOf({ command: 'x', envPassthrough: ['GITHUB_TOKEN', 'EMPTY'] })).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/ada',
      GITHUB_TOKEN: 'ghp_123',
      EMPTY: '',
    });
  });

  it('leaves out a named variable that is not set', () => {
    expect(childEnvOf({ command: 'x', envPassthrough: ['NOT_SET', 'AWS_PROFILE'] })).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/ada',
      AWS_PROFILE: 'dev',
    });
  });

  it("never passes the gateway's own secret, even named", () => {
    expect(childEnvOf({ command: 'x', envPassthrough: ['MCP_GATEWAY_AUTH_TOKEN'] })).not.toHaveProperty(
      'MCP_GATEWAY_AUTH_TOKEN',
    );
    expect(passthroughEnv(['MCP_GATEWAY_AUTH_TOKEN', 'HOME'], parent)).toEqual({ HOME: '/home/ada' });
  });

  it('gives way to the server\'s own "env" for the same name', () => {
    expect(
      childEnvOf({ command: 'x', envPassthrough: ['GITHUB_TOKEN'], env: { GITHUB_TOKEN: 'from-config' } }),
    ).toMatchObject({ GITHUB_TOKEN: 'from-config' });
  });

  it('adds nothing to inheritEnv, which hands over everything but the secret anyway', () => {
    const withPassthrough = childEnvOf({
      command: 'x',
      inheritEnv: true,
      envPassthrough: ['GITHUB_TOKEN', 'MCP_GATEWAY_AUTH_TOKEN'],
    });
    const { MCP_GATEWAY_AUTH_TOKEN: _secret, ...everythingElse } = parent;

    expect(withPassthrough).toEqual(everythingElse);
    expect(childEnvOf({ command: 'x', inheritEnv: true })).toEqual(everythingElse);
  });

  it('passes nothing beyond the minimal environment without envPassthrough', () => {
    expect(childEnvOf({ command: 'x' })).toEqual({ PATH: '/usr/bin', HOME: '/home/ada' });
    expect(toBackendSpec('a', { command: 'x' }, '/config', parent).env).toEqual({});
  });
});

describe('formatCommandLine', () => {
  it('quotes arguments with spaces or quotes, and never shows the environment', () => {
    const spec = toBackendSpec(
      'a',
      { command: 'node', args: ['my server.js', '--flag'], env: { TOKEN: 'x' } },
      '/srv',
    );
    expect(formatCommandLine(spec)).toBe('node "my server.js" --flag');
  });

  it('quotes empty arguments and arguments a shell would read otherwise', () => {
    const spec = toBackendSpec(
      'a',
      { command: 'uvx', args: ['tool(1)', '', '$HOME', 'a;b', '*.md', 'plain-1.0'] },
      '/',
    );
    expect(formatCommandLine(spec)).toBe('uvx "tool(1)" "" "$HOME" "a;b" "*.md" plain-1.0');
  });

  it('shows a URL without the user name and password it may carry', () => {
    const spec = toBackendSpec('r', { url: 'https://alice:s3cret@mcp.example.com/mcp?x=1' }, '/srv');
    expect(formatCommandLine(spec)).toBe('https://mcp.example.com/mcp?x=1');
    expect(formatCommandLine(toBackendSpec('p', { url: 'http://127.0.0.1:9/mcp' }, '/srv'))).toBe(
      'http://127.0.0.1:9/mcp',
    );
  });
});
