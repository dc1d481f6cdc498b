/**
 * Runnable configs from the ones deploy/ ships for three replicas r1-r3 on 127.0.0.1:8101-8103 behind port 8003:
 * the same text with the listening address, the replicas' addresses and their ids put in. Used by
 * `npm run cluster:local` and by the tests that run nginx and HAProxy in front of real replicas.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project's deploy/ folder. */
export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy', import.meta.url));

/** One replica as the proxy sees it. */
export interface ProxiedReplica {
  /** Its MCP_GATEWAY_REPLICA_ID: the prefix of the session ids it makes. */
  readonly id: string;
  /** `host:port` of its HTTP listener. */
  readonly address: string;
}

/** What the shipped configs are written for. */
const SHIPPED_LISTEN = '127.0.0.1:8003';
const SHIPPED_REPLICAS = ['r1', 'r2', 'r3'].map((id, index) => ({
  id,
  address: `127.0.0.1:810${index + 1}`,
}));

/** `text` with the shipped addresses replaced; exactly three replicas, as the shipped files have. */
function substitute(text: string, listen: string, replicas: readonly ProxiedReplica[]): string {
  if (replicas.length !== SHIPPED_REPLICAS.length) {
    throw new Error(`the configs in deploy/ are written for ${SHIPPED_REPLICAS.length} replicas`);
  }
  let result = text.replaceAll(SHIPPED_LISTEN, listen);
  for (const [index, shipped] of SHIPPED_REPLICAS.entries()) {
    const replica = replicas[index] as ProxiedReplica;
    if (!/^[A-Za-z0-9-]+$/.test(replica.id)) throw new Error(`replica id ${replica.id} is not [A-Za-z0-9-]`);
    result = result
      .replaceAll(shipped.address, replica.address)
      .replaceAll(`^${shipped.id}\\.`, `^${replica.id}\\.`);
  }
  return result;
}

/**
 * A complete nginx.conf for `nginx -p <dir> -c <dir>/nginx.conf -e stderr`, in the foreground: everything it writes
 * (pid, temporary files) under `dir`, and deploy/nginx/mcp-gateway.conf included with these addresses.
 */
export function nginxConfig(dir: string, listen: string, replicas: readonly ProxiedReplica[]): string {
  const site = substitute(
    readFileSync(path.join(DEPLOY_DIR, 'nginx/mcp-gateway.conf'), 'utf8'),
    listen,
    replicas,
  );
  const temp = (name: string) => path.join(dir, name);
  return [
    'daemon off;',
    // Workers run as this user: root's would otherwise be "nobody", who cannot write to the temp folder.
    ...(process.getuid?.() === 0 ? ['user root;'] : []),
    'worker_processes 1;',
    `pid ${temp('nginx.pid')};`,
    'error_log stderr notice;',
    'events { worker_connections 512; }',
    'http {',
    '    access_log off;',
    `    client_body_temp_path ${temp('client-body')};`,
    `    proxy_temp_path ${temp('proxy')};`,
    `    fastcgi_temp_path ${temp('fastcgi')};`,
    `    uwsgi_temp_path ${temp('uwsgi')};`,
    `    scgi_temp_path ${temp('scgi')};`,
    site,
    '}',
    '',
  ].join('\n');
}

/** deploy/haproxy/haproxy.cfg with these addresses, for `haproxy -db -f <file>`. */
export function haproxyConfig(listen: string, replicas: readonly ProxiedReplica[]): string {
  return substitute(readFileSync(path.join(DEPLOY_DIR, 'haproxy/haproxy.cfg'), 'utf8'), listen, replicas);
}
