// The claim API's port for publishing events; the messaging lib's publisher implements it. Publishing happens after
// the durable write: if it fails, the pool manager's and provisioner's resync loops still converge from MongoDB.
export abstract class EventBus {
  /** `id` names the fact (JetStream de-duplicates on it); one is made up when the fact has no natural name. */
  abstract publish(type: string, data: Record<string, unknown>, subject: string, id?: string): Promise<void>;
}
