/**
 * `--rewrite-client`: takes the imported servers out of the client's files and puts the gateway's entry in their
 * place, after a backup of each file changed. Only those keys are edited, in the file's own indentation and line
 * endings: every other setting, comment and blank line stays as it was.
 */
import { constants } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { detectGatewayLaunch } from '../../shared/gateway-launch.js';
import type { JsonPath } from './client-locations.js';
import { GATEWAY_ENTRY_NAME, type ClientEntryValue } from './gateway-entry-snippet.js';
import { addProperty, removeProperty } from './json-edits.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { isPlainObject, parseClientJson, valueAt } from './read-client-file.js';

/** What to change in the client's files. */
export interface RewriteRequest {
  /** Whether the files may hold comments and trailing commas. */
  readonly jsonc: boolean;
  /** The imported entries, to take out. */
  readonly remove: readonly { readonly file: string; readonly path: JsonPath }[];
  /** The servers object that gets the gateway's entry. */
  readonly target: { readonly file: string; readonly serversPath: JsonPath };
  readonly entry: ClientEntryValue;
  /** When the backups are made: their names carry it. */
  readonly now: Date;
  /** This package's `dist/cli.js`, to recognize an older entry of the gateway. */
  readonly cliPath: string;
}

/** One file's new text, ready to be written. */
export interface PlannedRewrite {
  readonly file: string;
  readonly text: string;
  /** Where the original is copied first. */
  readonly backup: string;
  /** How many entries are taken out. */
  readonly removed: number;
  /** Whether the file gets the gateway's entry. */
  readonly getsGateway: boolean;
  /** Whether that entry replaces an older entry of the gateway of the same name. */
  readonly replacesGateway: boolean;
}

/**
 * Reads each file again (it may have changed since the import read it) and computes its new text, writing
 * nothing, so that a problem in any file leaves every file as it was.
 *
 * @throws GatewayError when a file is no longer readable or valid, or when the target already has an entry named
 *   `gateway` that is not the gateway's and is not being taken out.
 */
export async function planRewrite(request: RewriteRequest): Promise<PlannedRewrite[]> {
  const files = [...new Set([...request.remove.map(({ file }) => file), request.target.file])];
  const plans: PlannedRewrite[] = [];
  for (const file of files) {
    const { bom, text: original } = await readText(file);
    const json = parseClientJson(original, file, request.jsonc);
    let text = original;
    let removed = 0;
    const removing = request.remove.filter((item) => item.file === file);
    for (const { path: entryPath } of removing) {
      if (valueAt(json, entryPath) === undefined) continue;
      text = removeProperty(text, entryPath);
      removed += 1;
    }
    const getsGateway = file === request.target.file;
    let replacesGateway = false;
    if (getsGateway) {
      const entryPath = [...request.target.serversPath, GATEWAY_ENTRY_NAME];
      const existing = valueAt(json, entryPath);
      const takenOut = removing.some((item) => item.path.join('\u0000') === entryPath.join('\u0000'));
      if (existing !== undefined && !takenOut) {
        if (!launchesGateway(existing, path.dirname(file), request.cliPath)) {
          throw new GatewayError(
            'invalid_config',
            `${file}: "${entryPath.join('.')}" already holds a server that is not mcp-gateway, and the gateway's ` +
              'entry is named "gateway"; rename that server in the client, then import again',
          );
        }
        replacesGateway = true;
        text = removeProperty(text, entryPath);
      }
      text = addProperty(text, request.target.serversPath, GATEWAY_ENTRY_NAME, request.entry);
    }
    plans.push({
      file,
      text: bom + text,
      backup: backupName(file, request.now),
      removed,
      getsGateway,
      replacesGateway,
    });
  }
  return plans;
}

/**
 * Copies each file to its backup (never over an existing file), then writes the new texts.
 *
 * @throws GatewayError when a backup or a file cannot be written; files not yet reached are left as they were.
 */
export async function applyRewrite(plans: readonly PlannedRewrite[]): Promise<void> {
  for (const plan of plans) {
    try {
      await copyFile(plan.file, plan.backup, constants.COPYFILE_EXCL);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new GatewayError(
        'invalid_config',
        `${plan.file}: cannot back it up to ${plan.backup} (${code}); the file is unchanged`,
        {
          cause: error,
        },
      );
    }
  }
  for (const plan of plans) {
    try {
      await writeFile(plan.file, plan.text);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new GatewayError(
        'invalid_config',
        `${plan.file}: cannot write it (${code}); its backup is ${plan.backup}`,
        {
          cause: error,
        },
      );
    }
  }
}

/** `<file>.<YYYYMMDD-HHMMSS>.bak`, in local time. */
export function backupName(file: string, now: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}${two(now.getMonth() + 1)}${two(now.getDate())}`;
  const time = `${two(now.getHours())}${two(now.getMinutes())}${two(now.getSeconds())}`;
  return `${file}.${date}-${time}.bak`;
}

function launchesGateway(value: unknown, folder: string, cliPath: string): boolean {
  if (!isPlainObject(value) || typeof value.command !== 'string') return false;
  const args = Array.isArray(value.args) ? value.args.filter((arg) => typeof arg === 'string') : [];
  return detectGatewayLaunch({ command: value.command, args, cwd: folder }, cliPath).launchesGateway;
}

/** The file's text, and its byte order mark apart (the parser refuses it; the rewritten file keeps it). */
async function readText(file: string): Promise<{ bom: string; text: string }> {
  try {
    const text = await readFile(file, 'utf8');
    return text.startsWith('\uFEFF') ? { bom: '\uFEFF', text: text.slice(1) } : { bom: '', text };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new GatewayError(
      'invalid_config',
      `${file}: cannot read it again to rewrite it (${code}); nothing was rewritten`,
      {
        cause: error,
      },
    );
  }
}
