import { describe, expect, inject, it } from 'vitest';
import { connect } from '@nats-io/transport-node';

describe('NATS lane', () => {
  it('serves JetStream on the URL it hands to tests', async () => {
    const nc = await connect({ servers: inject('lanes').natsUrl });
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const jsm = await jetstreamManager(nc);
    const info = await jsm.getAccountInfo();
    expect(info.limits).toBeDefined();
    await nc.close();
  });
});
