/**
 * The gateway's event source (see `shared/observation.ts` for the seam): listener lists copied only when they
 * change, so that emitting iterates a stable array, and a `watchingCalls` flag the call path reads before it
 * builds anything.
 */
import { plainMessage } from '../errors/protocol-error.js';
import type { Logger } from '../logger.js';
import {
  OPERATOR_PRINCIPAL,
  type Admission,
  type AdmissionRequest,
  type CallEvent,
  type CallGate,
  type CallListener,
  type ChangeEvent,
  type ChangeListener,
  type ChangeReport,
  type GatewayObservation,
  type RequestTracer,
  type SessionEvent,
  type SessionListener,
} from '../shared/observation.js';

/** An admission that holds nothing: what the call path gets when no gate is set. */
const NOTHING_HELD: Admission = { admitted: true, release: () => undefined };

/** The event source of one gateway; the core emits, watchers subscribe through {@link GatewayObservation}. */
export class ObservationHub implements GatewayObservation {
  private calls: readonly CallListener[] = [];
  private changes: readonly ChangeListener[] = [];
  private sessions: readonly SessionListener[] = [];
  private gates: readonly CallGate[] = [];
  /** The tracer, when one is set (see {@link setTracer}). */
  tracer: RequestTracer | undefined;

  constructor(private readonly logger: Logger) {}

  get watchingCalls(): boolean {
    return this.calls.length > 0;
  }

  get tracing(): boolean {
    return this.tracer !== undefined;
  }

  setTracer(tracer: RequestTracer): () => void {
    this.tracer = tracer;
    return () => {
      if (this.tracer === tracer) this.tracer = undefined;
    };
  }

  /** Whether anyone hears changes. */
  get watchingChanges(): boolean {
    return this.changes.length > 0;
  }

  /** Whether any gate is set: the call path asks for admission only then. */
  get gated(): boolean {
    return this.gates.length > 0;
  }

  /** Whether any session listener is there. */
  get watchingSessions(): boolean {
    return this.sessions.length > 0;
  }

  onCall(listener: CallListener): () => void {
    this.calls = [...this.calls, listener];
    return () => (this.calls = this.calls.filter((other) => other !== listener));
  }

  onChange(listener: ChangeListener): () => void {
    this.changes = [...this.changes, listener];
    return () => (this.changes = this.changes.filter((other) => other !== listener));
  }

  onSession(listener: SessionListener): () => void {
    this.sessions = [...this.sessions, listener];
    return () => (this.sessions = this.sessions.filter((other) => other !== listener));
  }

  addGate(gate: CallGate): () => void {
    this.gates = [...this.gates, gate];
    return () => (this.gates = this.gates.filter((other) => other !== gate));
  }

  reportChange(change: ChangeReport): Promise<void> {
    return this.emitChange({
      type: 'change',
      principal: OPERATOR_PRINCIPAL,
      frontDoor: undefined,
      sessionId: undefined,
      client: undefined,
      ...change,
    });
  }

  /**
   * Asks every gate; the first refusal wins (what the earlier gates held is released). With no gate, an admission
   * that holds nothing, without allocating.
   */
  admit(request: AdmissionRequest): Admission {
    const { gates } = this;
    if (gates.length === 0) return NOTHING_HELD;
    const held: Admission[] = [];
    for (const gate of gates) {
      const admission = gate.admit(request);
      if (!admission.admitted) {
        for (const other of held) if (other.admitted) other.release();
        return admission;
      }
      held.push(admission);
    }
    if (held.length === 1) return held[0] ?? NOTHING_HELD;
    return {
      admitted: true,
      release: () => held.forEach((admission) => admission.admitted && admission.release()),
    };
  }

  /** Tells the call listeners; resolves once those that returned a promise are done, rejects with the first failure. */
  emitCall(event: CallEvent): Promise<void> {
    return this.tell(this.calls, event);
  }

  /** Tells the change listeners, as {@link emitCall} does. */
  emitChange(event: ChangeEvent): Promise<void> {
    return this.tell(this.changes, event);
  }

  /** Tells the session listeners. */
  emitSession(event: SessionEvent): void {
    for (const listener of this.sessions) {
      try {
        listener(event);
      } catch (error) {
        this.reportBug(error);
      }
    }
  }

  private async tell<E>(listeners: readonly ((event: E) => void | Promise<void>)[], event: E): Promise<void> {
    let waits: Promise<void>[] | undefined;
    for (const listener of listeners) {
      let returned: void | Promise<void>;
      try {
        returned = listener(event);
      } catch (error) {
        this.reportBug(error);
        continue;
      }
      if (returned) (waits ??= []).push(returned);
    }
    if (!waits) return;
    const settled = await Promise.allSettled(waits);
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private reportBug(error: unknown): void {
    this.logger.error('an observation listener failed', { error: plainMessage(error) });
  }
}
