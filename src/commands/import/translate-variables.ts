/**
 * Translates a client's `${...}` variables into what the gateway expands: `${NAME}` and `${NAME:-default}` from
 * its environment. Client variables with a fixed value here (the home folder, the workspace folder) are replaced
 * by that value; those the gateway cannot reproduce (`${input:ID}`, which prompts the user) are reported instead
 * of being written wrong.
 */
import { ENV_NAME_PATTERN } from '../../backends/server-config.js';
import type { VariableDialect } from './client-formats.js';

/** What the client's variables stand for when the entry is imported. */
export interface VariableContext {
  readonly dialect: VariableDialect;
  /** The client's name in messages. */
  readonly clientTitle: string;
  /** `${userHome}`. */
  readonly home: string;
  /** `${workspaceFolder}`; undefined in a user-level file, where it has no single value. */
  readonly workspaceFolder: string | undefined;
  /** `${workspaceFolderBasename}`. */
  readonly workspaceFolderBasename: string | undefined;
  /** `${pathSeparator}` and `${/}`. */
  readonly pathSeparator: string;
}

/** The value for the gateway and the environment variables it reads, or why it cannot be translated. */
export type TranslatedValue =
  | { readonly ok: true; readonly value: string; readonly envNames: readonly string[] }
  | { readonly ok: false; readonly problems: readonly string[] };

/** `${NAME}` or `${NAME:-default}`. */
const SHELL_VARIABLE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

/**
 * Translates every `${...}` in `value`. `where` names the value in messages (`env.API_KEY`, `args[2]`); messages
 * never quote the value itself, which may be a secret, only the variable's name.
 */
export function translateVariables(value: string, where: string, context: VariableContext): TranslatedValue {
  const problems: string[] = [];
  const envNames: string[] = [];
  let result = '';
  let rest = value;
  for (let start = rest.indexOf('${'); start !== -1; start = rest.indexOf('${')) {
    const end = rest.indexOf('}', start);
    if (end === -1) {
      problems.push(`${where}: a "\${" is never closed by "}"`);
      break;
    }
    const inner = rest.slice(start + 2, end);
    const translated = translateOne(inner, context);
    if (typeof translated === 'string') {
      problems.push(`${where}: ${translated}`);
    } else {
      result += rest.slice(0, start) + translated.text;
      if (translated.envName !== undefined) envNames.push(translated.envName);
    }
    rest = rest.slice(end + 1);
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: result + rest, envNames };
}

/** The replacement of one `${inner}`, or a sentence saying why there is none. */
function translateOne(inner: string, context: VariableContext): { text: string; envName?: string } | string {
  const shown = showVariable(inner);
  switch (context.dialect) {
    case 'none':
      return (
        `${shown}: ${context.clientTitle} passes "\${...}" on as it is, but the gateway would replace it with an ` +
        'environment variable; remove it or write the value in the client, then import again'
      );
    case 'shell': {
      const match = SHELL_VARIABLE.exec(inner);
      if (match?.[1] === undefined || inner.includes('${')) {
        return `${shown} is not a variable the gateway expands (it expands \${NAME} and \${NAME:-default})`;
      }
      return { text: `\${${inner}}`, envName: match[1] };
    }
    case 'editor':
    case 'windsurf':
      return translateEditorVariable(inner, shown, context);
  }
}

function translateEditorVariable(
  inner: string,
  shown: string,
  context: VariableContext,
): { text: string; envName?: string } | string {
  if (inner.startsWith('env:')) {
    const name = inner.slice('env:'.length);
    if (!ENV_NAME_PATTERN.test(name)) return `${shown} does not name an environment variable`;
    return { text: `\${${name}}`, envName: name };
  }
  if (inner.startsWith('input:')) {
    return (
      `${shown} asks the user for a value when the server starts, which the gateway cannot do; put the value in an ` +
      'environment variable, write ${env:NAME} in the client instead, and import again'
    );
  }
  if (context.dialect === 'editor') {
    switch (inner) {
      case 'userHome':
        return { text: context.home };
      case 'pathSeparator':
      case '/':
        return { text: context.pathSeparator };
      case 'workspaceFolder':
      case 'workspaceFolderBasename': {
        const folder =
          inner === 'workspaceFolder' ? context.workspaceFolder : context.workspaceFolderBasename;
        if (folder !== undefined) return { text: folder };
        return (
          `${shown} has no single value in a user-level file (it depends on the folder the client has open); ` +
          'write the path instead, or import the workspace file with --from'
        );
      }
    }
  }
  return `${shown} is a ${context.clientTitle} variable the gateway cannot translate`;
}

/**
 * The variable as it may be shown: its name, never a default value (which may be a secret) nor an expression
 * that does not look like a variable at all.
 */
function showVariable(inner: string): string {
  const name = inner.split(':-')[0] ?? '';
  const hidden = name === inner ? '' : ':-...';
  return /^[\w:./-]{0,64}$/.test(name) ? `\${${name}${hidden}}` : '"${...}"';
}
