// What the transport reports about its work, for logs and for the observability lib's Prometheus metrics (which
// subscribe to these events, so messaging itself never depends on prom-client).

export type DeliveryOutcome = 'delivered' | 'acked' | 'naked' | 'termed' | 'deadlettered';

export interface DeliveryEvent {
  outcome: DeliveryOutcome;
  consumer: string;
  /** The event type (subject without prefix). */
  type: string;
  deliveryCount: number;
  /** Why it was naked, termed or dead-lettered. */
  reason?: string;
  /** For `naked`: the redelivery delay asked for. */
  delayMs?: number;
  /** For `acked`, `naked` after a handler failure, and `deadlettered` after one: how long the handler ran. */
  durationMs?: number;
}

/** A consumer's pull loop noticed something: missed heartbeats, a vanished consumer, a restart, giving up. */
export interface ConsumerStatusEvent {
  consumer: string;
  stream: string;
  kind: string;
  detail?: string;
}

export type DeliveryCounters = Record<DeliveryOutcome, number>;

export function emptyCounters(): DeliveryCounters {
  return { delivered: 0, acked: 0, naked: 0, termed: 0, deadlettered: 0 };
}
