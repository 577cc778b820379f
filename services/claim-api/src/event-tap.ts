// A read-only view of the platform's events for in-process fan-out (server-sent events). Implemented on a core NATS
// subscription: it sees events as they are published, with no durable state of its own.
export interface TappedEvent {
  id: string;
  type: string;
  data: unknown;
}

export abstract class EventTap {
  /** Calls `listener` for each event until the returned function is called. */
  abstract subscribe(listener: (event: TappedEvent) => void): () => void;
}
