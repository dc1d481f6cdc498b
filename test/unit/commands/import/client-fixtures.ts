/**
 * Client config fixtures (`test/fixtures/clients/<client>/`) installed into a temp folder: `home/` becomes the
 * user's home and `project/` the project folder `<home>/work/shop`, with every `/home/alex` in the files (the
 * fixtures' home) replaced by the temp home.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding one folder of fixtures per client. */
export const CLIENT_FIXTURES = fileURLToPath(new URL('../../../fixtures/clients/', import.meta.url));

/** Where a client fixture was installed. */
export interface InstalledClient {
  /** The user's home folder. */
  readonly home: string;
  /** The project folder, `<home>/work/shop` (created even when the fixture has no project files). */
  readonly project: string;
}

/**
 * Installs the fixture of `client` under `dir`; `transform` may change each file's text after the home is
 * replaced (e.g. to point commands at fixture servers).
 */
export async function installClientFixture(
  client: string,
  dir: string,
  transform: (text: string) => string = (text) => text,
): Promise<InstalledClient> {
  const home = path.join(dir, 'home');
  const project = path.join(home, 'work', 'shop');
  await mkdir(project, { recursive: true });
  const source = path.join(CLIENT_FIXTURES, client);
  for (const [part, target] of [
    ['home', home],
    ['project', project],
  ] as const) {
    const from = path.join(source, part);
    const entries = await readdir(from, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const relative = path.relative(from, path.join(entry.parentPath, entry.name));
      const text = await readFile(path.join(from, relative), 'utf8');
      await mkdir(path.dirname(path.join(target, relative)), { recursive: true });
      await writeFile(path.join(target, relative), transform(text.replaceAll('/home/alex', home)));
    }
  }
  return { home, project };
}
