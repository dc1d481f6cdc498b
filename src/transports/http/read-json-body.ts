/**
 * Reads a POST body as one JSON value, within a size limit. The limit is checked against `Content-Length` first
 * and then against the bytes that actually arrive, so a missing or lying header does not get past it.
 */
import type { IncomingMessage } from 'node:http';
import { finished } from 'node:stream/promises';
import type { Rejection } from './http-responses.js';
import { ProtocolErrorCode } from '@modelcontextprotocol/server';

/** The parsed body, or why there is none. */
export type BodyResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly rejection: Rejection };

/**
 * Reads and parses the body of `req`, refusing more than `maxBytes`. A body over the limit is still read to its end
 * (and discarded), so that the client reads the 413 rather than a connection reset in the middle of its upload;
 * the request timeout bounds a client that never stops.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  let over = Number.isFinite(declared) && declared > maxBytes;
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    if (over) return;
    size += chunk.length;
    if (size > maxBytes) {
      over = true;
      chunks.length = 0;
    } else chunks.push(chunk);
  });
  await finished(req);
  if (over) return tooLarge(maxBytes);
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return {
      ok: false,
      rejection: {
        status: 400,
        code: ProtocolErrorCode.ParseError,
        message: 'Parse error: the body is not valid JSON',
      },
    };
  }
}

function tooLarge(maxBytes: number): BodyResult {
  return {
    ok: false,
    rejection: {
      status: 413,
      message: `Request body over the limit of ${maxBytes} bytes`,
      headers: { Connection: 'close' },
    },
  };
}
