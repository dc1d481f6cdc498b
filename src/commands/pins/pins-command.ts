/**
 * `mcp-gateway pins list | diff <server> [name] | approve <server> [name]`: reviews and approves the definitions a
 * gateway pinned (see docs/pinning.md). The state folder is `--state-dir`, else `.mcp-gateway` beside `--config`
 * (default `gateway-config.json`, as `validate`), which is where a gateway started with that config keeps it.
 * Exit codes: 0 done, 1 the state file cannot be used or nothing pinned matches, 2 a usage error (commander's,
 * mapped by cli.ts).
 */
import { Command, Option } from 'commander';

import { plainMessage } from '../../errors/protocol-error.js';
import { PinFile, resolveStateDir } from '../../pins/pin-file.js';
import { PIN_KINDS, type PinKind } from '../../pins/pin-kinds.js';
import { DEFAULT_CONFIG_FILE } from '../validate/validate-command.js';
import { approvePins, diffPins, EXIT_FAILURE, listPins, type PinsIo } from './pins-report.js';

/** The options every `pins` subcommand takes. */
interface PinsOptions {
  readonly stateDir?: string;
  readonly config?: string;
  readonly kind?: PinKind;
}

/** What the command takes from the process. */
export interface PinsCommandIo extends PinsIo {
  readonly cwd: string;
}

/** The `pins` command; each subcommand reports its exit code through `done`. */
export function createPinsCommand(io: PinsCommandIo, done: (code: number) => void): Command {
  const run =
    (work: (file: PinFile, options: PinsOptions, server?: string, name?: string) => Promise<number>) =>
    async (...args: unknown[]): Promise<void> => {
      // commander passes the arguments, then the options, then the command. The root command has its own
      // --state-dir (serving), which takes the flag when it comes first: both count.
      const options = (args.at(-1) as Command).optsWithGlobals<PinsOptions>();
      const [server, name] = args.slice(0, -2) as (string | undefined)[];
      const dir = resolveStateDir({
        stateDir: options.stateDir,
        configFile: options.config ?? DEFAULT_CONFIG_FILE,
        cwd: io.cwd,
      });
      try {
        done(await work(new PinFile(dir), options, server, name));
      } catch (error) {
        io.stderr(`error: ${plainMessage(error)}\n`);
        done(EXIT_FAILURE);
      }
    };
  const withOptions = (command: Command, kind: boolean): Command => {
    command
      .option('--state-dir <dir>', 'the state folder (default: .mcp-gateway beside the config file)')
      .option('--config <file>', 'the config file whose state folder to use', DEFAULT_CONFIG_FILE)
      .allowExcessArguments(false);
    if (kind) {
      command.addOption(
        new Option('--kind <kind>', 'only items of this kind (a tool and a prompt may share a name)').choices(
          PIN_KINDS,
        ),
      );
    }
    return command;
  };
  const pins = new Command('pins').description(
    'review and approve the tool, prompt and resource template definitions the gateway pinned',
  );
  pins.addCommand(
    withOptions(new Command('list'), false)
      .description('list the pinned items of every server, changes waiting for approval marked')
      .action(run((file) => listPins(file, io))),
  );
  pins.addCommand(
    withOptions(new Command('diff'), true)
      .description("show what changed in a server's definitions (all pending, or the item named)")
      .argument('<server>', 'the server, as the config names it')
      .argument('[name]', 'the tool, prompt or resource template')
      .action(
        run((file, options, server = '', name) => diffPins(file, { server, name, kind: options.kind }, io)),
      ),
  );
  pins.addCommand(
    withOptions(new Command('approve'), true)
      .description('make the changed definitions of a server (or of the item named) the pins')
      .argument('<server>', 'the server, as the config names it')
      .argument('[name]', 'the tool, prompt or resource template')
      .action(
        run((file, options, server = '', name) =>
          approvePins(file, { server, name, kind: options.kind }, io),
        ),
      ),
  );
  return pins;
}
