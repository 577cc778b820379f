import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { MongoClient, MongoServerError } from 'mongodb';

describe('MongoDB lane', () => {
  it('answers a ping and enforces a unique index on the URL it hands to tests', async () => {
    const client = new MongoClient(inject('lanes').mongoUrl);
    try {
      await client.connect();
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
      const db = client.db(`lane_${randomBytes(4).toString('hex')}`);
      const claims = db.collection<{ tenant: string; user: string }>('claims');
      await claims.createIndex({ tenant: 1 }, { unique: true });
      await claims.insertOne({ tenant: 't1', user: 'alice' });
      const error = await claims.insertOne({ tenant: 't1', user: 'bob' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(11000);
      await db.dropDatabase();
    } finally {
      await client.close();
    }
  });
});
