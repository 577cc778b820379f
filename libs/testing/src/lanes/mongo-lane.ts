// MongoDB wire for tests and development: MONGO_URL if set, else the real `mongo` image as a single-node replica set
// when Docker answers, else mongo-java-server (in memory, oplog on) on a free loopback port. See docs on what the
// local server lacks (partial and TTL indexes, transactions): code must not rely on those.
import { MongoClient } from 'mongodb';
import { findFreePort, startLaneProcess } from './lane-process';
import { mongoJavaServerClassPath } from './lane-paths';
import { dockerAnswers } from './docker';
import type { Lane } from './nats-lane';

const mongoImage = process.env.MONGO_IMAGE ?? 'mongo:8.0';

/** Connects, pings and disconnects. No serverApi option: mongo-java-server answers `ismaster` but not `hello`. */
export async function pingMongo(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return true;
  } finally {
    await client.close();
  }
}

export async function startMongoLane(logDir: string): Promise<Lane> {
  if (process.env.MONGO_URL) return { kind: 'environment', url: process.env.MONGO_URL, stop: async () => {} };
  if (await dockerAnswers()) {
    const { MongoDBContainer } = await import('@testcontainers/mongodb');
    const container = await new MongoDBContainer(mongoImage).start();
    return {
      kind: 'container',
      url: container.getConnectionString(),
      stop: async () => void (await container.stop()),
    };
  }
  const classPath = mongoJavaServerClassPath();
  const port = await findFreePort();
  const url = `mongodb://127.0.0.1:${port}/`;
  const proc = await startLaneProcess({
    name: 'mongo-java-server',
    command: 'java',
    args: ['-cp', classPath, 'Main', String(port), '127.0.0.1'],
    logDir,
    ready: () => pingMongo(url),
  });
  return { kind: 'local', url, stop: () => proc.stop() };
}
