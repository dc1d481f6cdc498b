/**
 * Forwarding the rest of the protocol to the backends: resources (by URI), prompts (by exposed name), completion
 * (by reference), logging levels, the client's roots changes, and tasks (by the gateway's task id). Registered only for the capabilities the session
 * advertised, with the extensions the backends use added to them.
 */
import { registerCompletionHandler } from './completion.js';
import { announceExtensions } from './extensions.js';
import type { ForwardingContext } from './forwarding-context.js';
import { registerLoggingHandler, registerRootsHandler } from './logging.js';
import { registerPromptHandlers } from './prompts.js';
import { registerResourceHandlers } from './resources.js';
import { registerTaskHandlers } from '../tasks/task-handlers.js';

/** Registers the forwarding handlers the session's capabilities call for, and announces its extensions. */
export function registerForwarding(context: ForwardingContext): void {
  const { advertised } = context.session;
  if (advertised.resources) registerResourceHandlers(context);
  if (advertised.prompts) registerPromptHandlers(context);
  if (advertised.completions) registerCompletionHandler(context);
  if (advertised.logging) registerLoggingHandler(context);
  if (advertised.tasks) registerTaskHandlers(context);
  registerRootsHandler(context);
  announceExtensions(context);
}
