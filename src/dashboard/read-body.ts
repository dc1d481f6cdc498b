/** Reads a small request body (a login form, an action): bounded, so a large body cannot grow the gateway's memory. */
import type { IncomingMessage } from 'node:http';

/** Bodies larger than this are refused: an action or a login form is a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** The body as text, or undefined when it is larger than {@link MAX_BODY_BYTES}. */
export async function readSmallBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An action's JSON body: `{ server, kind?, name? }` with string values, or undefined. */
export function parseAction(
  body: string,
): { server: string; kind: string | undefined; name: string | undefined } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Not JSON: refused below like any other malformed body.
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { server, kind, name } = parsed as Record<string, unknown>;
  if (typeof server !== 'string' || server === '') return undefined;
  const optional = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return { server, kind: optional(kind), name: optional(name) };
}
