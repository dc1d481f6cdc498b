/**
 * Authenticated encryption of registry entries (AES-256-GCM): an entry holds a command to run and its secrets, so
 * Redis must neither read it nor change it unnoticed. The entry's name is bound as associated data, so a sealed
 * value moved under another name does not open either.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** `v1.<base64 of iv | tag | ciphertext>`. */
export function seal(key: Buffer, plaintext: string, associated: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(associated, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

/** The plaintext of a sealed value; throws when it was changed, sealed under another key or for another name. */
export function open(key: Buffer, sealed: string, associated: string): string {
  const [version, payload] = sealed.split('.', 2);
  if (version !== VERSION || payload === undefined)
    throw new Error(`not a sealed value of version ${VERSION}`);
  const bytes = Buffer.from(payload, 'base64');
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value too short');
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(associated, 'utf8'));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new Error('it does not authenticate (changed, or sealed under another cluster key)');
  }
}
