// The storage floor under the claim path, measured on the same MongoDB and NATS servers but in a database and a
// stream of its own: (a) one conditional take of a ready tenant plus one JetStream publish acknowledgement; (c) the
// fast path's whole storage sequence as create-claim.ts does it (slot, waiting check, take, claim insert, publish)
// without HTTP, NestJS or validation.
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { createEnvelope, renderStreamConfig, toNatsSubject } from '@kubelabs/messaging';
import { ClaimStore, Persistence, TenantStore, type TenantDocument } from '@kubelabs/persistence';

const floorPool = 'floor@1.36';
const fillerPool = 'filler@1.36';

export interface DbFloor {
  /** Resets the floor database: `ready` ready tenants in the floor pool among `total` tenant documents. */
  seed(ready: number, total: number): Promise<void>;
  /** (a) Takes the oldest ready tenant (the claim path's conditional update) and publishes one event. */
  takeAndPublish(): Promise<void>;
  /** (c) The claim fast path's storage calls in order (4 MongoDB operations + 1 publish), through the same persistence library, without HTTP. */
  directFastPath(): Promise<void>;
  close(): Promise<void>;
}

export async function startDbFloor({ mongoUrl, natsUrl }: { mongoUrl: string; natsUrl: string }): Promise<DbFloor> {
  const id = randomBytes(4).toString('hex');
  const url = new URL(mongoUrl);
  url.pathname = `/bench_floor_${id}`;
  const db = await Persistence.connect(url.toString());
  const store = new ClaimStore(db);
  const tenants = new TenantStore(db);
  const nc = await connect({ servers: natsUrl });
  const prefix = `benchfloor${id}`;
  const stream = `BENCH_FLOOR_${id.toUpperCase()}`;
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add(
    renderStreamConfig(
      { name: stream, subjects: ['tenant.>', 'claim.>'], storage: 'file', duplicateWindowMs: 120_000 },
      prefix,
    ),
  );
  const js: JetStreamClient = jetstream(nc);
  let counter = 0;

  const publish = async (claimId: string, tenant: TenantDocument): Promise<void> => {
    const envelope = createEnvelope(
      'tenant.claimed',
      {
        tenantId: tenant._id,
        claimId,
        labId: 'floor',
        kubernetesVersion: '1.36',
        userId: 'floor-user',
        claimedAt: new Date().toISOString(),
        namespace: tenant.namespace,
      },
      { source: '/kubelabs/bench', subject: tenant._id, id: claimId },
    );
    await js.publish(toNatsSubject(prefix, 'tenant.claimed'), JSON.stringify(envelope), { msgID: claimId });
  };
  const take = async (claimId: string, now: Date): Promise<TenantDocument> => {
    const tenant = await tenants.takeReadyTenant(floorPool, claimId, now);
    if (!tenant) throw new Error('the floor pool ran out of ready tenants');
    return tenant;
  };

  return {
    seed: async (ready, total) => {
      await Promise.all([db.tenants.deleteMany({}), db.claims.deleteMany({}), db.claimHolds.deleteMany({})]);
      const now = Date.now();
      const docs = Array.from({ length: Math.max(ready, total) }, (_, i) => {
        const isReady = i < ready;
        const tenantId = `t-floor-${i}`;
        return {
          _id: tenantId,
          labId: isReady ? 'floor' : 'filler',
          kubernetesVersion: '1.36',
          poolKey: isReady ? floorPool : fillerPool,
          namespace: `kubelabs-${tenantId}`,
          state: isReady ? 'ready' : 'claimed',
          step: 'ready',
          provisioningDeadline: new Date(now + 15 * 60_000),
          readyAt: new Date(now - 60_000 + i),
        };
      });
      for (let i = 0; i < docs.length; i += 500)
        await db.tenants.insertMany(docs.slice(i, i + 500), { ordered: false });
    },
    takeAndPublish: async () => {
      const claimId = `c-floor-${id}-${counter++}`;
      await publish(claimId, await take(claimId, new Date()));
    },
    directFastPath: async () => {
      const n = counter++;
      const claimId = `c-floor-${id}-${n}`;
      const now = new Date();
      await store.reserveSlot(`floor-user-${n}`, claimId, 1, now);
      const seq = Date.now() * 1000 + (n % 1000);
      if (await db.claims.exists({ poolKey: floorPool, state: 'pending' }))
        throw new Error('unexpected pending claims in the floor pool');
      const tenant = await take(claimId, now);
      await db.claims.create({
        _id: claimId,
        userId: `floor-user-${n}`,
        labId: 'floor',
        kubernetesVersion: '1.36',
        poolKey: floorPool,
        seq,
        state: 'active',
        tenantId: tenant._id,
        requestedAt: now,
        activatedAt: now,
        expiresAt: new Date(now.getTime() + 60 * 60_000),
        extendedMinutes: 0,
      });
      await publish(claimId, tenant);
    },
    close: async () => {
      await jsm.streams.delete(stream).catch(() => false);
      await nc.close();
      await db.connection.dropDatabase().catch(() => undefined);
      await db.close();
    },
  };
}
