/**
 * What a 2025-era HTTP session sent on its SSE streams lately, so that a client whose stream broke before its answer
 * came (a proxy or a replica in between died, a network blip) gets the rest when it reconnects with `Last-Event-ID`,
 * as the Streamable HTTP transport allows. The SDK's server transport writes each event through this store and
 * starts every stream with a priming event (for clients of 2025-11-25 and later), which is what tells the client to
 * resume rather than give up.
 *
 * Bounded, since it holds messages (results included) in memory: per session at most `maxEvents` events, none older
 * than `windowMs`. A reconnection comes within seconds (the client's retry delay), so a short window is enough.
 */
import type { EventId, EventStore, JSONRPCMessage, StreamId } from '@modelcontextprotocol/server';

/** How long an event can be replayed. */
export const REPLAY_WINDOW_MS = 60_000;
/** How many events a session keeps at most (the oldest go first). */
export const REPLAY_MAX_EVENTS = 256;

interface StoredEvent {
  readonly id: EventId;
  readonly streamId: StreamId;
  readonly message: JSONRPCMessage;
  readonly at: number;
}

/** One session's recent events, by stream. */
export class ResumableEvents implements EventStore {
  private readonly events: StoredEvent[] = [];
  /** Index in `events` of the first event still kept (the array is compacted now and then, not on every drop). */
  private first = 0;
  private sequence = 0;

  constructor(
    private readonly windowMs = REPLAY_WINDOW_MS,
    private readonly maxEvents = REPLAY_MAX_EVENTS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Keeps `message`; its id names its stream (`<stream>/<n>`), so a reconnection finds the stream by it alone. */
  storeEvent(streamId: StreamId, message: JSONRPCMessage): Promise<EventId> {
    const at = this.now();
    this.drop(at, 1);
    this.sequence += 1;
    const id = `${streamId}/${this.sequence}`;
    this.events.push({ id, streamId, message, at });
    return Promise.resolve(id);
  }

  /** The stream `eventId` belongs to, while it is kept; undefined for an unknown or expired one. */
  getStreamIdForEventId(eventId: EventId): Promise<StreamId | undefined> {
    this.drop(this.now());
    return Promise.resolve(this.find(eventId)?.streamId);
  }

  /**
   * Sends the events of `lastEventId`'s stream that came after it, in order, and names the stream. An id that is
   * not kept (expired, or never issued) is refused: the SDK answers the reconnection with an error then.
   */
  async replayEventsAfter(
    lastEventId: EventId,
    { send }: { send: (eventId: EventId, message: JSONRPCMessage) => Promise<void> },
  ): Promise<StreamId> {
    this.drop(this.now());
    const last = this.find(lastEventId);
    if (last === undefined) throw new Error('the event to resume from is no longer kept');
    const later = this.events
      .slice(this.first)
      .filter((event) => event.streamId === last.streamId && sequenceOf(event.id) > sequenceOf(last.id));
    for (const event of later) {
      // The priming event carries no message: nothing to send again.
      if (Object.keys(event.message).length > 0) await send(event.id, event.message);
    }
    return last.streamId;
  }

  private find(eventId: EventId): StoredEvent | undefined {
    for (let index = this.events.length - 1; index >= this.first; index -= 1) {
      if (this.events[index]?.id === eventId) return this.events[index];
    }
    return undefined;
  }

  /** Forgets what is too old, and what is too many to make `room` for new events. */
  private drop(now: number, room = 0): void {
    const { events } = this;
    while (
      this.first < events.length &&
      (events.length - this.first + room > this.maxEvents ||
        now - (events[this.first]?.at ?? now) > this.windowMs)
    ) {
      this.first += 1;
    }
    if (this.first > 64 && this.first * 2 > events.length) {
      events.splice(0, this.first);
      this.first = 0;
    }
  }
}

function sequenceOf(eventId: EventId): number {
  return Number(eventId.slice(eventId.lastIndexOf('/') + 1));
}
