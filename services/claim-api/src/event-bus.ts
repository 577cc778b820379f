// The claim API's port for publishing events; the messaging lib's publisher implements it. Publishing happens after
// the durable write: if it fails, the pool manager's and provisioner's resync loops still converge from MongoDB.
import type { AnyFact } from '@kubelabs/contracts';

export abstract class EventBus {
  /**
   * Publishes a fact built by a `@kubelabs/contracts` builder, under the fact's own id (JetStream de-duplicates on it).
   * Resolves true once the stream acknowledged it, false when it gave up (logged; an outbox caller tries again later).
   */
  abstract publish(fact: AnyFact): Promise<boolean>;
}
