// Tells a watch event caused by the reconciler's own write from one caused by someone else: a reconciler that
// watches what it applies would otherwise run once more for every object it writes (an echo), which costs a pass per
// object and buys nothing. Bounded: the oldest remembered writes are forgotten first.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ObjectChange } from './watch-objects';

export class OwnWrites {
  private readonly versions = new Set<string>();
  private readonly deletions = new Set<string>();

  constructor(private readonly capacity = 10_000) {}

  /** Remembers an object as this reconciler's write returned it (its uid and new resourceVersion). */
  applied(object: KubernetesObject): void {
    const uid = object.metadata?.uid;
    const version = object.metadata?.resourceVersion;
    if (uid && version) this.add(this.versions, `${uid}@${version}`);
  }

  /** Remembers that this reconciler deleted the object with this uid. */
  deleted(uid: string | undefined): void {
    if (uid) this.add(this.deletions, uid);
  }

  /** True when the change is exactly what one of this reconciler's writes produced. */
  isEcho(change: ObjectChange): boolean {
    const uid = change.object.metadata?.uid;
    if (!uid) return false;
    if (change.type === 'DELETED') return this.deletions.has(uid);
    return this.versions.has(`${uid}@${change.object.metadata?.resourceVersion ?? ''}`);
  }

  private add(set: Set<string>, key: string): void {
    set.add(key);
    if (set.size > this.capacity) set.delete(set.values().next().value!);
  }
}
