/**
 * `mcp-gateway import <client>`: reads the MCP servers a client is configured with, writes a gateway config with
 * them, and prints the one entry that puts the gateway in the client instead (or, with `--rewrite-client`, puts
 * it there). Everything it depends on from the process comes through {@link ImportIo}, so that tests can run it
 * for any platform and home folder.
 */
import os from 'node:os';

import { Argument, Command } from 'commander';

import type { ServerConfig } from '../../backends/server-config.js';
import { GATEWAY_CLI_PATH } from '../../shared/gateway-launch.js';
import { CLIENT_FORMATS, CLIENT_IDS, isClientId, type ClientId } from './client-formats.js';
import { defaultSources, pathApi, sourcesFromFile, type LocationContext } from './client-locations.js';
import { collectEntries } from './collect-entries.js';
import { formatClientSnippet, GATEWAY_ENTRY_NAME, gatewayClientEntry } from './gateway-entry-snippet.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { count, formatReport } from './import-report.js';
import { applyRewrite, planRewrite, type PlannedRewrite } from './rewrite-client.js';
import { translateEntry, type EntryOutcome, type ImportedEntry } from './translate-entry.js';
import { assertWritable, writeGatewayConfig } from './write-gateway-config.js';

/** The command's options, as parsed. */
export interface ImportOptions {
  /** One of the client names; anything else is a usage error. */
  readonly client: string;
  /** Read this file instead of the client's usual ones. */
  readonly from?: string | undefined;
  /** Where to write the gateway config; default `gateway-config.json` in `cwd`. */
  readonly out?: string | undefined;
  /** Overwrite `out` if it exists. */
  readonly force?: boolean | undefined;
  /** Replace the imported servers in the client's files with the gateway's entry. */
  readonly rewriteClient?: boolean | undefined;
}

/** What the command takes from the process; {@link defaultImportIo} gives the real ones. */
export interface ImportIo {
  /** The printed client entry, and nothing else. */
  readonly stdout: (text: string) => void;
  /** The report, notes and errors. */
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  readonly home: string;
  readonly cwd: string;
  /** The Node executable the printed entry runs. */
  readonly execPath: string;
  /** This package's `dist/cli.js`, which the printed entry runs. */
  readonly cliPath: string;
  /** The time backups are named after. */
  readonly now: () => Date;
}

/** Exit codes: done, failed (the message says why), usage error. */
const EXIT_OK = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** The default output file, in the folder the command runs in. */
export const DEFAULT_OUT = 'gateway-config.json';

/** The real process: its streams, environment, platform, home and working folders. */
export function defaultImportIo(): ImportIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    platform: process.platform,
    home: os.homedir(),
    cwd: process.cwd(),
    execPath: process.execPath,
    cliPath: GATEWAY_CLI_PATH,
    now: () => new Date(),
  };
}

/** Runs the import; returns the exit code (0 done, 1 failure, 2 usage error). Never exits the process. */
export async function runImport(options: ImportOptions, io: ImportIo = defaultImportIo()): Promise<number> {
  if (!isClientId(options.client)) {
    io.stderr(`error: unknown client "${options.client}": expected one of ${CLIENT_IDS.join(', ')}\n`);
    return EXIT_USAGE;
  }
  try {
    await importClient(options.client, options, io);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    io.stderr(`error: ${error.message}\n`);
    return EXIT_FAILURE;
  }
}

async function importClient(client: ClientId, options: ImportOptions, io: ImportIo): Promise<void> {
  const format = CLIENT_FORMATS[client];
  const paths = pathApi(io.platform);
  const out = paths.resolve(io.cwd, options.out ?? DEFAULT_OUT);
  const force = options.force === true;
  await assertWritable(out, force);

  const context: LocationContext = { platform: io.platform, home: io.home, env: io.env, cwd: io.cwd };
  const sources =
    options.from === undefined
      ? defaultSources(client, context)
      : sourcesFromFile(client, options.from, context);
  const collected = await collectEntries(sources, {
    jsonc: format.jsonc,
    required: options.from !== undefined,
  });
  if (collected.sourcesRead.length === 0) {
    const looked = sources.map(({ file }) => `\n  ${file}`).join('');
    throw new GatewayError(
      'invalid_config',
      `found no ${format.title} config; looked for:${looked}\nname the file with --from PATH`,
    );
  }
  if (collected.sourcesRead.some(({ file }) => file === out)) {
    throw new GatewayError(
      'invalid_config',
      `--out ${out} is the ${format.title} config being read; write the gateway config elsewhere`,
    );
  }
  const takenNames = new Set(
    [...collected.entries, ...collected.shadowed.map(({ entry }) => entry)].map(({ name }) => name),
  );
  const translation = {
    client,
    platform: io.platform,
    home: io.home,
    cwd: io.cwd,
    cliPath: io.cliPath,
    takenNames,
  };
  const outcomes = collected.entries.map((entry) => translateEntry(entry, translation));
  io.stderr(formatReport({ clientTitle: format.title, collected, outcomes }));
  const imported = outcomes.filter((outcome): outcome is ImportedEntry => outcome.kind === 'imported');
  const [first] = imported;
  if (first === undefined) {
    const found = collected.entries.length + collected.shadowed.length;
    throw new GatewayError(
      'invalid_config',
      found === 0
        ? `no servers in ${collected.sourcesRead.map(({ file }) => file).join(', ')}; ${out} was not written`
        : `none of the ${count(found, 'server')} found can be imported (see above); ${out} was not written`,
    );
  }

  const envNames = [...new Set(imported.flatMap((outcome) => outcome.envNames))];
  const entry = gatewayClientEntry(client, io, out, envNames);
  // Planned before the config is written: a client file that cannot be rewritten stops everything.
  let plans: PlannedRewrite[] = [];
  if (options.rewriteClient === true) {
    plans = await planRewrite({
      jsonc: format.jsonc,
      remove: imported.map((outcome) => ({ file: outcome.entry.source.file, path: outcome.entry.path })),
      target: { file: first.entry.source.file, serversPath: first.entry.path.slice(0, -1) },
      entry,
      now: io.now(),
      cliPath: io.cliPath,
    });
  }
  const servers: Record<string, ServerConfig> = {};
  for (const outcome of imported) servers[outcome.entry.name] = outcome.config;
  await writeGatewayConfig(out, servers, force);
  io.stderr(`Wrote ${out} (${count(imported.length, 'server')}).\n`);
  if (envNames.length > 0) {
    const names = envNames.join(', ');
    io.stderr(`The gateway config reads ${names} from the environment, which ${format.title} passes on.\n`);
  }
  if (plans.length > 0) {
    await applyRewrite(plans);
    for (const plan of plans) io.stderr(describePlan(plan));
    warnOfOtherGatewayEntries(outcomes, first, io);
    io.stderr(`${format.title} now starts the gateway with this entry:\n`);
  } else {
    io.stderr(`Put this entry in ${format.title}'s config, in place of the servers imported:\n`);
  }
  io.stdout(formatClientSnippet(client, entry));
}

/**
 * An older entry of the gateway under another name is left alone, like every entry not imported; the client would
 * now start two gateways, so say so.
 */
function warnOfOtherGatewayEntries(
  outcomes: readonly EntryOutcome[],
  first: ImportedEntry,
  io: ImportIo,
): void {
  const replaced = [...first.entry.path.slice(0, -1), GATEWAY_ENTRY_NAME].join('\u0000');
  for (const outcome of outcomes) {
    if (outcome.kind !== 'skipped' || outcome.launchesGateway === undefined) continue;
    const { entry } = outcome;
    if (entry.source.file === first.entry.source.file && entry.path.join('\u0000') === replaced) continue;
    io.stderr(
      `Still in ${entry.source.file}: "${entry.name}", which starts mcp-gateway too; remove it if the new ` +
        '"gateway" entry takes its place.\n',
    );
  }
}

function describePlan(plan: PlannedRewrite): string {
  const changes = [];
  if (plan.removed > 0) changes.push(`took out ${count(plan.removed, 'server')}`);
  if (plan.getsGateway)
    changes.push(plan.replacesGateway ? 'replaced the "gateway" entry' : 'added "gateway"');
  return `Rewrote ${plan.file}: ${changes.join(', ')} (backup: ${plan.backup}).\n`;
}

const HELP_AFTER = `
Files read without --from (a later file wins when two hold the same server name):
  claude-desktop  macOS:   ~/Library/Application Support/Claude/claude_desktop_config.json
                  Windows: %APPDATA%\\Claude\\claude_desktop_config.json
                  Linux:   $XDG_CONFIG_HOME/Claude/claude_desktop_config.json (default ~/.config)
  claude-code     ~/.claude.json: user scope ("mcpServers"), then ./.mcp.json: project scope, then
                  ~/.claude.json: local scope of the current folder ("projects"."<folder>"."mcpServers");
                  $CLAUDE_CONFIG_DIR/.claude.json when CLAUDE_CONFIG_DIR is set
  cursor          ~/.cursor/mcp.json (global), then ./.cursor/mcp.json (project)
  vscode          the user folder's mcp.json and settings.json ("mcp"."servers"), then ./.vscode/mcp.json and
                  ./.vscode/settings.json; the user folder is ~/Library/Application Support/Code/User (macOS),
                  %APPDATA%\\Code\\User (Windows), $XDG_CONFIG_HOME/Code/User (Linux, default ~/.config)
  windsurf        ~/.codeium/windsurf/mcp_config.json
--from PATH reads that one file instead (a .mcp.json, .cursor/mcp.json or .vscode/mcp.json as a project's).

Variables: \${env:NAME} becomes \${NAME}, which the gateway expands from its environment (the printed entry
passes NAME on from the client); Claude Code's \${NAME} and \${NAME:-default} stay as they are; \${userHome},
\${workspaceFolder} (project files only) and \${pathSeparator} become their values. An entry using anything
else (\${input:ID}, envFile, OAuth...) is not imported. Project servers get the project folder as "cwd".

Every entry not imported is listed on stderr with why, and stays in the client. Values of env and headers are
never printed. The client entry to use is printed on stdout.

--rewrite-client first copies each client file it changes to <file>.<YYYYMMDD-HHMMSS>.bak, then takes the
imported servers out (with the comment lines right above them) and adds "gateway" where the first of them was,
keeping every other key, comment and the file's indentation. Quit the client first: some rewrite their file
while running.

Exit codes: 0 done, 1 failure (a file missing or invalid, the output exists without --force), 2 usage error.`;

/**
 * The `import` subcommand. Its action calls `onExit` with {@link runImport}'s exit code instead of exiting:
 * only `cli.ts` ends the process. Commander's own errors (unknown client, unknown flag) are thrown as
 * `CommanderError`, for the caller to turn into exit code 2.
 */
export function createImportCommand(onExit: (code: number) => void, io?: ImportIo): Command {
  const stderr = io?.stderr ?? ((text: string) => process.stderr.write(text));
  return new Command('import')
    .description(
      "write a gateway config with the MCP servers of a client's config, and print the client entry",
    )
    .addArgument(new Argument('<client>', 'the client whose servers to import').choices(CLIENT_IDS))
    .option('--from <path>', "read this client config file instead of the client's usual ones")
    .option('--out <path>', 'where to write the gateway config', DEFAULT_OUT)
    .option('--force', 'overwrite the --out file if it exists')
    .option('--rewrite-client', "replace the imported servers in the client's files with the gateway's entry")
    .addHelpText('after', HELP_AFTER)
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeErr: stderr,
      ...(io === undefined ? {} : { writeOut: io.stdout }),
    })
    .action(async (client: string, flags: Omit<ImportOptions, 'client'>) => {
      onExit(await runImport({ client, ...flags }, io));
    });
}
