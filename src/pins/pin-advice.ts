/**
 * What the gateway tells a person about a changed definition: the commands that review and approve it (exact, to
 * copy: shell-quoted, with the state folder), the log line, and the refusal of a withheld item.
 */
import { quote } from 'shlex';

import { GatewayError } from '../errors/gateway-error.js';
import { describeItem } from './pin-diff.js';
import type { PinKind } from './pin-kinds.js';

/** A changed definition as messages need it. */
export interface ChangeToDescribe {
  readonly server: string;
  readonly kind: PinKind;
  readonly name: string;
  readonly changedFields: readonly string[];
}

/**
 * `mcp-gateway pins approve weather get_alerts --state-dir /srv/.mcp-gateway`: the command of `action` for one
 * item (or every item of a server when `name` is not given), every word quoted as a shell needs.
 */
export function pinCommand(
  action: 'diff' | 'approve',
  stateDir: string,
  server: string,
  name?: string,
  kind?: PinKind,
): string {
  const words = ['mcp-gateway', 'pins', action, server, ...(name === undefined ? [] : [name])];
  if (kind !== undefined) words.push('--kind', kind);
  words.push('--state-dir', stateDir);
  return words.map((word) => quote(word)).join(' ');
}

/** What a gateway whose pins are in memory only (no config file, no `--state-dir`) says instead of commands. */
export const MEMORY_ONLY_ADVICE =
  'the pins are kept in memory only (no config file and no --state-dir), so no command can approve it: ' +
  'start the gateway with --state-dir <folder> to keep the pins and approve changes';

/**
 * The one log line of a changed definition: the item, the fields, what the gateway does about it, and the
 * commands to review and approve it (`stateDir` undefined: the pins are in memory only).
 */
export function describeChangeForLog(
  change: ChangeToDescribe,
  withheld: boolean,
  stateDir: string | undefined,
): string {
  const effect = withheld ? 'withheld until approved (pinning "enforce")' : 'still served (pinning "warn")';
  const advice =
    stateDir === undefined
      ? MEMORY_ONLY_ADVICE
      : `review: ${pinCommand('diff', stateDir, change.server, change.name)}; ` +
        `approve: ${pinCommand('approve', stateDir, change.server, change.name)}`;
  return `${describeItem(change)} changed since it was pinned (${change.changedFields.join(', ')}): ${effect}; ${advice}`;
}

/** The refusal of a call to (or a `prompts/get` of) a withheld item, naming the change and how to approve it. */
export function withheldError(change: ChangeToDescribe, stateDir: string | undefined): GatewayError {
  const advice =
    stateDir === undefined
      ? `; ${MEMORY_ONLY_ADVICE}`
      : `. Review the change with \`${pinCommand('diff', stateDir, change.server, change.name)}\` and approve ` +
        `it with \`${pinCommand('approve', stateDir, change.server, change.name)}\``;
  return new GatewayError(
    'definition_changed',
    `${describeItem(change)} is withheld: its definition changed since it was pinned ` +
      `(${change.changedFields.join(', ')})${advice}`,
    { backend: change.server, ...(change.kind === 'tool' ? { tool: change.name } : {}) },
  );
}
