/**
 * Reads a POST body as one JSON value, within a size limit. The limit is checked against `Content-Length` first
 * and then against the bytes that actually arrive, so a missing or lying header does not get past it.
 */
import type { IncomingMessage } from 'node:http';

import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';

import type { Rejection } from './http-responses.js';

/** The parsed body, or why there is none. */
export type BodyResult =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly rejection: Rejection };

/** Reads and parses the body of `req`, refusing more than `maxBytes`. */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge(req, maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) return tooLarge(req, maxBytes);
    chunks.push(chunk);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown };
  } catch {
    return {
      ok: false,
      rejection: {
        status: 400,
        code: ErrorCode.ParseError,
        message: 'Parse error: the body is not valid JSON',
      },
    };
  }
}

function tooLarge(req: IncomingMessage, maxBytes: number): BodyResult {
  // Let the client finish sending, and discard it, so that it reads the 413 instead of a reset connection; the
  // request timeout bounds a client that never stops. The connection closes after the answer.
  req.resume();
  return {
    ok: false,
    rejection: {
      status: 413,
      message: `Request body over the limit of ${maxBytes} bytes`,
      headers: { Connection: 'close' },
    },
  };
}
