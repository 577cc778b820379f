// Keeps a set of objects applied and prunes the rest: every desired object is server-side applied, and every object
// of the set's kinds that matches the set's selector but is not desired is deleted. The enforcer (policies, exposure
// Services, quotas) and the syncer (host Services and Ingresses) each own such sets. The selector must select only
// objects the caller owns: pruning deletes whatever it matches.
import type { KubeClient, KubeObject } from './kube-client';

export interface ApplySetScope {
  /** Label selector that matches exactly the set's objects (e.g. owner and set labels). */
  selector: string;
  /** The kinds the set may hold, so a kind with no desired object left is still pruned. */
  kinds: { apiVersion: string; kind: string }[];
  /** Prune in this namespace only (omitted: cluster-wide for the listed kinds). */
  namespace?: string;
}

export interface ApplySetResult {
  applied: KubeObject[];
  pruned: { apiVersion: string; kind: string; name: string; namespace?: string }[];
}

function identity(o: { apiVersion: string; kind: string; name: string; namespace?: string | undefined }): string {
  return `${o.apiVersion}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

export async function applySet(kube: KubeClient, desired: KubeObject[], scope: ApplySetScope): Promise<ApplySetResult> {
  const applied: KubeObject[] = [];
  for (const object of desired) applied.push(await kube.apply(object));
  const wanted = new Set(
    desired.map((o) =>
      identity({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace: o.metadata.namespace }),
    ),
  );
  const pruned: ApplySetResult['pruned'] = [];
  for (const { apiVersion, kind } of scope.kinds) {
    const existing = await kube.list(apiVersion, kind, {
      labelSelector: scope.selector,
      ...(scope.namespace ? { namespace: scope.namespace } : {}),
    });
    for (const object of existing) {
      const name = object.metadata?.name;
      if (!name || object.metadata?.deletionTimestamp) continue;
      const ref = {
        apiVersion,
        kind,
        name,
        ...(object.metadata?.namespace ? { namespace: object.metadata.namespace } : {}),
      };
      if (wanted.has(identity(ref))) continue;
      if (await kube.delete(ref)) pruned.push(ref);
    }
  }
  return { applied, pruned };
}
