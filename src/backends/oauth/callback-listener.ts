/**
 * The loopback listener the authorization server redirects a person's browser back to
 * (`http://127.0.0.1:<port>/oauth/callback`): each pending authorization is found by its `state`, which the
 * gateway made and nobody else knows, and a callback with an unknown state is refused.
 */
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The path of the redirect URI. */
export const CALLBACK_PATH = '/oauth/callback';

/** Finishes one authorization with the callback's query; rejects with what to tell the person. */
export type CallbackHandler = (params: URLSearchParams) => Promise<void>;

/** One listener on one loopback port. */
export class CallbackListener {
  private server: Server | undefined;
  private starting: Promise<string> | undefined;
  private readonly pending = new Map<string, CallbackHandler>();

  constructor(private readonly port: number) {}

  /** Starts listening (once) and returns the redirect URI. */
  start(): Promise<string> {
    this.starting ??= this.listen();
    return this.starting;
  }

  /** Waits for the callback carrying `state`; a later call with the same state replaces the handler. */
  expect(state: string, handler: CallbackHandler): void {
    this.pending.set(state, handler);
  }

  /** Forgets `state` (the flow was replaced or given up). */
  forget(state: string): void {
    this.pending.delete(state);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<string> {
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (req.method !== 'GET' || url.pathname !== CALLBACK_PATH) return answer(res, 404, 'Not found.');
      const state = url.searchParams.get('state') ?? '';
      const handler = this.pending.get(state);
      if (!handler) {
        return answer(
          res,
          400,
          'This authorization is unknown or was already used; start it again from the gateway.',
        );
      }
      this.pending.delete(state);
      handler(url.searchParams).then(
        () =>
          answer(res, 200, 'Authorized. The gateway is connecting to the server; you may close this page.'),
        (error: unknown) => answer(res, 400, `Authorization failed: ${(error as Error).message}`),
      );
    });
    this.server = server;
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    // Never keeps the gateway alive on its own.
    server.unref();
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`;
  }
}

function answer(res: ServerResponse, status: number, text: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>mcp-gateway</title><p>${escapeHtml(text)}</p>\n`;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(body);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
