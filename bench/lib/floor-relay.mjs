/**
 * The floor of a stdio hop on this machine: a process that starts a backend and passes every line between its
 * stdin and the backend, parsing and re-serialising each one as any hop that reads messages must, and nothing
 * else (no validation, no timeouts, no cancellation, no routing). Its CPU per call is what two pipe reads, two
 * pipe writes and two JSON round trips cost here; the gateway's figure is read against it.
 *
 * Usage: node floor-relay.mjs <backend script>
 */
import { spawn } from 'node:child_process';
import process from 'node:process';

const backend = spawn(process.execPath, [process.argv[2] ?? ''], { stdio: ['pipe', 'pipe', 'inherit'] });

/**
 * Calls `onMessage` with each JSON line of `stream`.
 * @param {import('node:stream').Readable} stream
 * @param {(message: unknown) => void} onMessage
 */
function eachMessage(stream, onMessage) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim() !== '') onMessage(JSON.parse(line));
      newline = pending.indexOf('\n');
    }
  });
}

eachMessage(process.stdin, (message) => backend.stdin.write(`${JSON.stringify(message)}\n`));
eachMessage(backend.stdout, (message) => process.stdout.write(`${JSON.stringify(message)}\n`));
process.stdin.on('end', () => backend.stdin.end());
backend.on('exit', (code) => process.exit(code ?? 0));
