/**
 * Reads the parameters of an incoming `tools/call` on the fast path: the fields the gateway relies on are checked
 * here, once; everything else in the request passes through untouched.
 */
import { GatewayError } from '../errors/gateway-error.js';
import { isPlainObject } from './guards.js';

/** The parameters of one `tools/call`. */
export interface ToolCallParams {
  readonly name: string;
  readonly arguments?: Record<string, unknown> | undefined;
  readonly _meta?: Readonly<Record<string, unknown>> | undefined;
  /** Asks for the call to run as a task (2025-11-25): `ttl`, how long the task's result is kept, in ms. */
  readonly task?: { readonly ttl?: number | undefined } | undefined;
}

/**
 * The parameters of a `tools/call`: a string `name`, object `arguments`, `_meta` and `task` when present.
 *
 * @throws GatewayError `invalid_input` (InvalidParams on the wire) saying which field is wrong and how.
 */
export function readToolCallParams(params: unknown): ToolCallParams {
  if (!isPlainObject(params)) throw invalid(`"params" must be an object, got ${describe(params)}`);
  const { name, arguments: args, _meta: meta, task } = params;
  if (typeof name !== 'string') throw invalid(`"name" must be a string, got ${describe(name)}`);
  if (args !== undefined && !isPlainObject(args)) {
    throw invalid(`"arguments" must be an object, got ${describe(args)}`);
  }
  if (meta !== undefined && !isPlainObject(meta)) {
    throw invalid(`"_meta" must be an object, got ${describe(meta)}`);
  }
  if (task !== undefined) {
    if (!isPlainObject(task)) throw invalid(`"task" must be an object, got ${describe(task)}`);
    if (task.ttl !== undefined && (typeof task.ttl !== 'number' || task.ttl < 0)) {
      throw invalid('"task.ttl" must be a number of milliseconds, 0 or more');
    }
  }
  return params as unknown as ToolCallParams;
}

function invalid(reason: string): GatewayError {
  return new GatewayError('invalid_input', `Invalid tools/call request: ${reason}`);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
