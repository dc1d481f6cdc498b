// tsc does not keep the executable bit: set it on the bin so `./dist/cli.js` and npm's bin links run it directly.
import { chmodSync } from 'node:fs';

chmodSync(new URL('../dist/cli.js', import.meta.url), 0o755);
