/**
 * A private nginx in front of gateway replicas: round-robin over them with no affinity (every replica must route
 * what it does not own), started in the foreground with its config, pid file, logs and temp folders in a temp
 * folder, on a free loopback port. Skipped only when nginx is absent and `MCP_GATEWAY_REQUIRE_NGINX` is unset.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';

import { makeTempDir, removeTempDir } from './temp-dir.js';
import { waitFor } from './wait-for.js';

/** Where Debian installs it (not on a non-root user's PATH). */
const NGINX = ['/usr/sbin/nginx', 'nginx'].find((bin) => spawnSync(bin, ['-v']).status === 0);

/** Why the tests that need nginx are skipped, or undefined when they run; throws when it is required but missing. */
export function nginxSkipReason(): string | undefined {
  if (NGINX !== undefined) return undefined;
  if (process.env.MCP_GATEWAY_REQUIRE_NGINX) {
    throw new Error('MCP_GATEWAY_REQUIRE_NGINX is set but nginx is not installed (apt-get install nginx)');
  }
  return 'nginx is not installed (apt-get install nginx); set MCP_GATEWAY_REQUIRE_NGINX=1 to fail instead';
}

/** A running nginx. */
export interface TestNginx {
  /** `http://127.0.0.1:<port>/mcp` */
  readonly url: URL;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 now. */
async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * The proxy settings a replica set needs: no buffering either way (SSE streams, streamed bodies), HTTP/1.1 kept
 * alive to the replicas, long reads for streams, and a 503 (a draining replica) or a refused connection retried
 * on the next replica. `max_fails=0`: replicas' health is their own `/readyz`, not nginx's failure count.
 */
function configFor(dir: string, port: number, upstreams: readonly string[]): string {
  const servers = upstreams.map((hostPort) => `    server ${hostPort} max_fails=0;`).join('\n');
  return `daemon off;
master_process off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${path.join(dir, 'body')};
  proxy_temp_path ${path.join(dir, 'proxy')};
  fastcgi_temp_path ${path.join(dir, 'fastcgi')};
  uwsgi_temp_path ${path.join(dir, 'uwsgi')};
  scgi_temp_path ${path.join(dir, 'scgi')};
  upstream replicas {
${servers}
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://replicas;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 3600s;
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout http_503 non_idempotent;
    }
  }
}
`;
}

/** Starts nginx round-robin over `upstreams` (`host:port` each); resolves once it answers. */
export async function startTestNginx(upstreams: readonly string[]): Promise<TestNginx> {
  if (NGINX === undefined) throw new Error('nginx is not installed');
  const dir = await makeTempDir('gateway-nginx-');
  const port = await freePort();
  const config = path.join(dir, 'nginx.conf');
  await writeFile(config, configFor(dir, port, upstreams));
  const child: ChildProcess = spawn(NGINX, ['-p', dir, '-c', config, '-e', path.join(dir, 'error.log')], {
    stdio: 'ignore',
  });
  const url = new URL(`http://127.0.0.1:${port}/mcp`);
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited with code ${child.exitCode} (see ${dir})`);
      try {
        await fetch(new URL('/healthz', url));
        return true;
      } catch {
        return false;
      }
    },
    { description: 'nginx to answer', timeoutMs: 10_000, intervalMs: 50 },
  );
  return {
    url,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGQUIT');
        await exited;
      }
      await removeTempDir(dir);
    },
  };
}
