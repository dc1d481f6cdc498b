import { describe, expect, it } from 'vitest';

import {
  translateVariables,
  type VariableContext,
} from '../../../../src/commands/import/translate-variables.js';

const editor: VariableContext = {
  dialect: 'editor',
  clientTitle: 'VS Code',
  home: '/home/alex',
  workspaceFolder: '/home/alex/work/shop',
  workspaceFolderBasename: 'shop',
  pathSeparator: '/',
};
const userLevel: VariableContext = {
  ...editor,
  workspaceFolder: undefined,
  workspaceFolderBasename: undefined,
};
const shell: VariableContext = { ...userLevel, dialect: 'shell', clientTitle: 'Claude Code' };
const none: VariableContext = { ...userLevel, dialect: 'none', clientTitle: 'Claude Desktop' };
const windsurf: VariableContext = { ...userLevel, dialect: 'windsurf', clientTitle: 'Windsurf' };

describe('translateVariables', () => {
  it('leaves a value without variables as it is, in every dialect', () => {
    for (const context of [editor, shell, none, windsurf]) {
      expect(translateVariables('plain $HOME value {x}', 'args[0]', context)).toEqual({
        ok: true,
        value: 'plain $HOME value {x}',
        envNames: [],
      });
    }
  });

  it('turns ${env:NAME} into ${NAME} for the editors and Windsurf', () => {
    for (const context of [editor, windsurf]) {
      expect(translateVariables('Bearer ${env:GITHUB_TOKEN}', 'headers.Authorization', context)).toEqual({
        ok: true,
        value: 'Bearer ${GITHUB_TOKEN}',
        envNames: ['GITHUB_TOKEN'],
      });
    }
    expect(translateVariables('${env:A}:${env:B_2}', 'env.X', editor)).toEqual({
      ok: true,
      value: '${A}:${B_2}',
      envNames: ['A', 'B_2'],
    });
  });

  it('replaces the home, workspace and separator variables with their values', () => {
    expect(
      translateVariables(
        '${userHome}${/}notes:${workspaceFolder}${pathSeparator}${workspaceFolderBasename}',
        'args[1]',
        editor,
      ),
    ).toEqual({ ok: true, value: '/home/alex/notes:/home/alex/work/shop/shop', envNames: [] });
    expect(
      translateVariables('${userHome}${/}x', 'args[0]', {
        ...editor,
        home: 'C:\\Users\\alex',
        pathSeparator: '\\',
      }),
    ).toEqual({ ok: true, value: 'C:\\Users\\alex\\x', envNames: [] });
  });

  it('keeps Claude Code variables, which the gateway expands the same way', () => {
    expect(
      translateVariables('${DATABASE_URL:-postgresql://localhost/dev}', 'env.DATABASE_URL', shell),
    ).toEqual({
      ok: true,
      value: '${DATABASE_URL:-postgresql://localhost/dev}',
      envNames: ['DATABASE_URL'],
    });
    expect(translateVariables('${HOME}/.memory.json', 'env.MEMORY_FILE_PATH', shell)).toEqual({
      ok: true,
      value: '${HOME}/.memory.json',
      envNames: ['HOME'],
    });
  });

  it('reports ${input:ID}, which prompts the user', () => {
    expect(translateVariables('${input:perplexity-key}', 'env.PERPLEXITY_API_KEY', editor)).toEqual({
      ok: false,
      problems: [
        'env.PERPLEXITY_API_KEY: ${input:perplexity-key} asks the user for a value when the server starts, which ' +
          'the gateway cannot do; put the value in an environment variable, write ${env:NAME} in the client ' +
          'instead, and import again',
      ],
    });
  });

  it('reports ${workspaceFolder} in a user-level file, where it has no single value', () => {
    expect(translateVariables('${workspaceFolder}/scratch.js', 'args[0]', userLevel)).toEqual({
      ok: false,
      problems: [
        'args[0]: ${workspaceFolder} has no single value in a user-level file (it depends on the folder the ' +
          'client has open); write the path instead, or import the workspace file with --from',
      ],
    });
  });

  it('reports variables a dialect does not have', () => {
    expect(translateVariables('${command:pickFile}', 'args[0]', editor)).toEqual({
      ok: false,
      problems: ['args[0]: ${command:pickFile} is a VS Code variable the gateway cannot translate'],
    });
    expect(translateVariables('${userHome}/x', 'args[0]', windsurf)).toEqual({
      ok: false,
      problems: ['args[0]: ${userHome} is a Windsurf variable the gateway cannot translate'],
    });
    expect(translateVariables('${file:/home/alex/.stripe-key}', 'env.STRIPE_SECRET_KEY', windsurf)).toEqual({
      ok: false,
      problems: [
        'env.STRIPE_SECRET_KEY: ${file:/home/alex/.stripe-key} is a Windsurf variable the gateway cannot translate',
      ],
    });
    expect(translateVariables('${env:VAULT_TOKEN}', 'env.VAULT_TOKEN', shell)).toEqual({
      ok: false,
      problems: [
        'env.VAULT_TOKEN: ${env:VAULT_TOKEN} is not a variable the gateway expands (it expands ${NAME} and ${NAME:-default})',
      ],
    });
    expect(translateVariables('${env:not-a-name}', 'env.X', editor)).toEqual({
      ok: false,
      problems: ['env.X: ${env:not-a-name} does not name an environment variable'],
    });
  });

  it('reports any ${...} in a Claude Desktop value, which the client would have passed on as it is', () => {
    expect(translateVariables('--token=${API_TOKEN}', 'args[2]', none)).toEqual({
      ok: false,
      problems: [
        'args[2]: ${API_TOKEN}: Claude Desktop passes "${...}" on as it is, but the gateway would replace it ' +
          'with an environment variable; remove it or write the value in the client, then import again',
      ],
    });
  });

  it('reports every problem of a value, and an unclosed "${"', () => {
    expect(translateVariables('${input:a} ${input:b} ${oops', 'args[0]', editor)).toMatchObject({
      ok: false,
      problems: [
        expect.stringMatching(/^args\[0\]: \$\{input:a\} asks/),
        expect.stringMatching(/^args\[0\]: \$\{input:b\} asks/),
        'args[0]: a "${" is never closed by "}"',
      ],
    });
  });

  it('never shows a default value, nor an expression that is not a variable name', () => {
    const secretDefault = translateVariables('${TOKEN:-sk-live-0123}', 'env.TOKEN', editor);
    expect(secretDefault).toEqual({
      ok: false,
      problems: ['env.TOKEN: ${TOKEN:-...} is a VS Code variable the gateway cannot translate'],
    });
    const odd = translateVariables('pre${a b c secret!}post', 'headers.X', editor);
    expect(odd).toEqual({
      ok: false,
      problems: ['headers.X: "${...}" is a VS Code variable the gateway cannot translate'],
    });
    expect(JSON.stringify([secretDefault, odd])).not.toMatch(/sk-live|secret!/);
  });

  it('refuses a nested default in Claude Code', () => {
    expect(translateVariables('${A:-${B}}', 'env.A', shell)).toEqual({
      ok: false,
      problems: [
        'env.A: ${A:-...} is not a variable the gateway expands (it expands ${NAME} and ${NAME:-default})',
      ],
    });
  });
});
