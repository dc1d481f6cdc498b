import { describe, expect, it } from 'vitest';

import { expandServerVariables, expandVariables } from '../../../src/config/expand-variables.js';

const env = { HOME: '/home/ada', TOKEN: 's3cr3t value', EMPTY: '', PORT: '8080' };

function expand(text: string): ReturnType<typeof expandVariables> {
  return expandVariables(text, { env, reserved: ['MCP_GATEWAY_AUTH_TOKEN'] });
}

describe('expandVariables', () => {
  it.each([
    ['${HOME}', '/home/ada'],
    ['${HOME}/bin/${PORT}', '/home/ada/bin/8080'],
    ['no references', 'no references'],
    ['${EMPTY}', ''],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${HOME:-fallback}', '/home/ada'],
    ['${MISSING:-}', ''],
    ['${MISSING:-a $HOME b}', 'a $HOME b'],
    ['$${HOME}', '${HOME}'],
    ['$$${HOME}', '$${HOME}'],
    ['cost: $5, $HOME, {x}', 'cost: $5, $HOME, {x}'],
    ['$', '$'],
  ])('expands %j to %j', (text, value) => {
    expect(expand(text)).toEqual({ value, problems: [] });
  });

  it('does not expand references inside a value', () => {
    expect(expandVariables('${A}', { env: { A: '${B}', B: 'b' } })).toEqual({ value: '${B}', problems: [] });
  });

  it('reports an unset variable by name, with the way to give it a default', () => {
    expect(expand('--token=${GITHUB_TOKEN}').problems).toEqual([
      '${GITHUB_TOKEN} is not set; set it, or write ${GITHUB_TOKEN:-default}',
    ]);
  });

  it('reports every unset variable of a value, each once', () => {
    expect(expand('${A}:${B}:${A}').problems).toEqual([
      '${A} is not set; set it, or write ${A:-default}',
      '${B} is not set; set it, or write ${B:-default}',
    ]);
  });

  it("refuses a reference to the gateway's own secret, set or not, default or not", () => {
    const message =
      "${MCP_GATEWAY_AUTH_TOKEN} is the gateway's own secret, never handed to a backend; remove this reference";
    expect(
      expandVariables('${MCP_GATEWAY_AUTH_TOKEN}', {
        env: { MCP_GATEWAY_AUTH_TOKEN: 'x' },
        reserved: ['MCP_GATEWAY_AUTH_TOKEN'],
      }),
    ).toEqual({
      value: '',
      problems: [message],
    });
    expect(expand('${MCP_GATEWAY_AUTH_TOKEN:-x}').problems).toEqual([message]);
  });

  it.each(['${}', '${1ABC}', '${A-B}', '${A:default}', '${unterminated', 'a ${ b }'])(
    'reports the malformed reference in %j',
    (text) => {
      expect(expand(text).problems).toEqual([
        '"${" starts no variable reference; write ${NAME} or ${NAME:-default} (NAME: letters, digits and "_", ' +
          'not starting with a digit), or $${ for a literal "${"',
      ]);
    },
  );

  it('never puts a value in a message', () => {
    const { problems } = expand('${TOKEN} ${NOPE} ${');
    expect(problems.join('\n')).not.toContain('s3cr3t');
  });
});

describe('expandServerVariables', () => {
  const options = { env, reserved: ['MCP_GATEWAY_AUTH_TOKEN'] };

  it('expands command, args, env values, cwd, url and headers values of every server', () => {
    const json = {
      servers: {
        local: {
          command: '${HOME}/bin/server',
          args: ['--port', '${PORT}', '$${PORT}'],
          env: { TOKEN: '${TOKEN}', PLAIN: 'x' },
          cwd: '${HOME}/work',
          description: '${HOME} is not expanded here',
          prefix: 'p',
        },
        remote: { url: 'https://api.example.com:${PORT}/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } },
      },
    };

    expect(expandServerVariables(json, options)).toEqual({
      json: {
        servers: {
          local: {
            command: '/home/ada/bin/server',
            args: ['--port', '8080', '${PORT}'],
            env: { TOKEN: 's3cr3t value', PLAIN: 'x' },
            cwd: '/home/ada/work',
            description: '${HOME} is not expanded here',
            prefix: 'p',
          },
          remote: {
            url: 'https://api.example.com:8080/mcp',
            headers: { Authorization: 'Bearer s3cr3t value' },
          },
        },
      },
      problems: [],
    });
    expect(json.servers.local.command).toBe('${HOME}/bin/server');
  });

  it("expands every string of a server's oauth section, nested ones included, and reports where one is unset", () => {
    const json = {
      servers: {
        remote: {
          url: 'https://api.example.com/mcp',
          oauth: {
            clientId: 'gw',
            clientSecret: '${TOKEN}',
            scopes: ['a', '${PORT}'],
            dpop: true,
            enterprise: { idpTokenEndpoint: 'https://idp.example.com/token', idToken: '${ID_TOKEN}' },
          },
        },
      },
    };

    const expanded = expandServerVariables(json, options);
    expect(expanded.json).toMatchObject({
      servers: {
        remote: {
          oauth: {
            clientSecret: 's3cr3t value',
            scopes: ['a', '8080'],
            dpop: true,
            enterprise: { idpTokenEndpoint: 'https://idp.example.com/token', idToken: '' },
          },
        },
      },
    });
    expect(expanded.problems).toEqual([
      {
        severity: 'error',
        path: 'servers.remote.oauth.enterprise.idToken',
        message: '${ID_TOKEN} is not set; set it, or write ${ID_TOKEN:-default}',
      },
    ]);
  });

  it('expands mcpServers too, and leaves pipelines and other sections alone', () => {
    const json = {
      mcpServers: { a: { command: '${HOME}/x' } },
      pipelines: { p: { steps: [{ server: 'a', tool: 't', params: { q: '${HOME}' } }] } },
    };

    expect(expandServerVariables(json, options).json).toEqual({
      mcpServers: { a: { command: '/home/ada/x' } },
      pipelines: json.pipelines,
    });
  });

  it('splits a string of arguments before expanding, so that a value stays one argument', () => {
    const json = { servers: { a: { command: 'x', args: '--token ${TOKEN} --name "${HOME} dir" $${HOME}' } } };

    expect(expandServerVariables(json, options).json).toEqual({
      servers: {
        a: { command: 'x', args: ['--token', 's3cr3t value', '--name', '/home/ada dir', '${HOME}'] },
      },
    });
  });

  it('keeps a string of arguments without references as it is', () => {
    const json = { servers: { a: { command: 'x', args: '--a "b c"' } } };

    expect(expandServerVariables(json, options).json).toEqual(json);
  });

  it('reports an argument string with references that cannot be split, without quoting it', () => {
    const json = { servers: { a: { command: 'x', args: '--token "${TOKEN}' } } };

    expect(expandServerVariables(json, options).problems).toEqual([
      {
        severity: 'error',
        path: 'servers.a.args',
        message:
          'the argument string cannot be split into words (Got EOF while in a quoted string); close its quotes, ' +
          'or write args as an array',
      },
    ]);
  });

  it('reports every unset variable of every server at once, each at its JSON path', () => {
    const json = {
      servers: {
        github: { command: 'gh-mcp', env: { GITHUB_TOKEN: '${GITHUB_TOKEN}' }, args: ['${A}', 'x', '${B}'] },
        api: { url: '${API_URL}', headers: { 'X-Key': '${API_KEY}' }, cwd: '${DIR}' },
        split: { command: '${BIN}', args: '--a ${C}' },
      },
    };

    expect(expandServerVariables(json, options).problems).toEqual([
      {
        severity: 'error',
        path: 'servers.github.env.GITHUB_TOKEN',
        message: '${GITHUB_TOKEN} is not set; set it, or write ${GITHUB_TOKEN:-default}',
      },
      {
        severity: 'error',
        path: 'servers.github.args.0',
        message: '${A} is not set; set it, or write ${A:-default}',
      },
      {
        severity: 'error',
        path: 'servers.github.args.2',
        message: '${B} is not set; set it, or write ${B:-default}',
      },
      {
        severity: 'error',
        path: 'servers.api.cwd',
        message: '${DIR} is not set; set it, or write ${DIR:-default}',
      },
      {
        severity: 'error',
        path: 'servers.api.url',
        message: '${API_URL} is not set; set it, or write ${API_URL:-default}',
      },
      {
        severity: 'error',
        path: 'servers.api.headers.X-Key',
        message: '${API_KEY} is not set; set it, or write ${API_KEY:-default}',
      },
      {
        severity: 'error',
        path: 'servers.split.command',
        message: '${BIN} is not set; set it, or write ${BIN:-default}',
      },
      {
        severity: 'error',
        path: 'servers.split.args',
        message: '${C} is not set; set it, or write ${C:-default}',
      },
    ]);
  });

  it('leaves values of unexpected types, and a file that is not an object, for the schema', () => {
    const json = {
      servers: { a: { command: 42, args: [1, '${HOME}'], env: ['${HOME}'], headers: null }, b: 'x' },
    };

    expect(expandServerVariables(json, options)).toEqual({
      json: {
        servers: { a: { command: 42, args: [1, '/home/ada'], env: ['${HOME}'], headers: null }, b: 'x' },
      },
      problems: [],
    });
    expect(expandServerVariables([1], options)).toEqual({ json: [1], problems: [] });
    expect(expandServerVariables({ servers: [] }, options)).toEqual({ json: { servers: [] }, problems: [] });
  });
});
