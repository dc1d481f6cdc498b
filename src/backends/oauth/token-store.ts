/**
 * The OAuth state the gateway keeps for its remote backends (tokens, registered clients), in one file of the state
 * folder encrypted with AES-256-GCM: the file never holds a token in the clear, and a file changed by anyone without
 * the key is refused rather than trusted. Written whole, through a temporary file, with permissions 0600.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

import type { StoredOAuthClientInformation, StoredOAuthTokens } from '@modelcontextprotocol/client';
import { GatewayError } from '../../errors/gateway-error.js';

/** The file's name in the state folder. */
export const TOKEN_FILE = 'oauth-tokens.json';

/** Tokens as kept: the server's answer, and when the access token expires (epoch ms) when it said. */
export type KeptTokens = StoredOAuthTokens & { readonly expires_at?: number };

/** What is kept for one backend (and, with principals, one principal). */
export interface OAuthEntry {
  tokens?: KeptTokens | undefined;
  /** A client registered dynamically, with the redirect URI it was registered for. */
  client?: (StoredOAuthClientInformation & { readonly redirect_uris?: string[] }) | undefined;
}

interface SealedFile {
  readonly version: 1;
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

/** The encrypted store. Entries are read once and kept in memory; each change writes the file. */
export class TokenStore {
  private entries: Map<string, OAuthEntry> | undefined;
  private writing: Promise<void> = Promise.resolve();
  readonly file: string;

  /** `key` comes from `loadStateKey`: a function, so that a gateway whose backends never use OAuth never makes one. */
  constructor(
    private readonly stateDir: string,
    private readonly key: () => Promise<Buffer>,
    private readonly persist = true,
  ) {
    this.file = path.join(stateDir, TOKEN_FILE);
  }

  /** The entry kept under `name`, or an empty one. */
  async get(name: string): Promise<OAuthEntry> {
    return { ...(await this.load()).get(name) };
  }

  /** Whether tokens are kept under `name`; undefined until the file was read (on a backend's first use). */
  hasTokens(name: string): boolean | undefined {
    return this.entries && this.entries.get(name)?.tokens !== undefined;
  }

  /** Changes the entry under `name` and writes the file. */
  async update(name: string, change: (entry: OAuthEntry) => OAuthEntry): Promise<void> {
    const entries = await this.load();
    entries.set(name, change({ ...entries.get(name) }));
    if (!this.persist) return;
    const write = this.writing.then(() => this.write(entries));
    this.writing = write.catch(() => undefined);
    await write;
  }

  private async load(): Promise<Map<string, OAuthEntry>> {
    if (this.entries) return this.entries;
    let text: string | undefined;
    try {
      if (this.persist) text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const entries = text === undefined ? new Map<string, OAuthEntry>() : await this.open(text);
    this.entries ??= entries;
    return this.entries;
  }

  private async open(text: string): Promise<Map<string, OAuthEntry>> {
    try {
      const sealed = JSON.parse(text) as SealedFile;
      const decipher = createDecipheriv('aes-256-gcm', await this.key(), Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]);
      return new Map(Object.entries(JSON.parse(plain.toString('utf8')) as Record<string, OAuthEntry>));
    } catch (error) {
      // Never says what the file holds: only that it cannot be used, and what to do.
      throw new GatewayError(
        'invalid_state',
        `the OAuth token file ${this.file} cannot be decrypted with the state key (another key, or a damaged ` +
          'file); restore the key, or delete the file and authorize the backends again',
        { cause: error instanceof GatewayError ? error : undefined },
      );
    }
  }

  private async write(entries: Map<string, OAuthEntry>): Promise<void> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await this.key(), iv);
    const data = Buffer.concat([
      cipher.update(JSON.stringify(Object.fromEntries(entries)), 'utf8'),
      cipher.final(),
    ]);
    const sealed: SealedFile = {
      version: 1,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
    await mkdir(this.stateDir, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(sealed)}\n`, { mode: 0o600 });
    await rename(temporary, this.file);
  }
}
