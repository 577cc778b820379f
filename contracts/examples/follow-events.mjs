// A durable consumer of kubelabs events, as an integration would write one (npm i @nats-io/transport-node
// @nats-io/jetstream). It creates (or updates) its own durable pull consumer, so events published while it is down
// wait for it; it treats the envelope id as the idempotency key (a message may come twice); it acks only after its
// work is done, and leaves a message it cannot handle to bounded redeliveries. Run:
//
//   NATS_URL=nats://127.0.0.1:4222 DURABLE=my-lms EVENT_TYPES=tenant.claimed,tenant.expiring,tenant.released \
//     node contracts/examples/follow-events.mjs
//
// Optional: NATS_SUBJECT_PREFIX (the platform's, when it has one), STREAM (KUBELABS_EVENTS, or the prefixed name the
// platform uses), MAX_MESSAGES (stop after that many, for a test), IDLE_EXIT_MS (stop when nothing came for so long).
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const env = process.env;
const natsUrl = env.NATS_URL ?? 'nats://127.0.0.1:4222';
const stream = env.STREAM ?? 'KUBELABS_EVENTS';
const durable = env.DURABLE ?? 'example-integration';
const prefix = env.NATS_SUBJECT_PREFIX ? `${env.NATS_SUBJECT_PREFIX.replace(/\.$/, '')}.` : '';
const types = (env.EVENT_TYPES ?? 'tenant.claimed,tenant.expiring,tenant.released').split(',').map((t) => t.trim());
const maxMessages = Number(env.MAX_MESSAGES ?? Infinity);
const idleExitMs = Number(env.IDLE_EXIT_MS ?? 0);

const nc = await connect({ servers: natsUrl, name: durable });
const jsm = await jetstreamManager(nc);
const config = {
  durable_name: durable,
  filter_subjects: types.map((type) => `${prefix}${type}`),
  ack_policy: AckPolicy.Explicit,
  deliver_policy: DeliverPolicy.All,
  ack_wait: 30_000_000_000, // nanoseconds: 30 s to handle one event before it is redelivered
  max_deliver: 5, // then the server stops redelivering it: log it somewhere you will look
};
try {
  await jsm.consumers.update(stream, durable, { filter_subjects: config.filter_subjects });
} catch {
  await jsm.consumers.add(stream, config);
}

const seen = new Set(); // a real integration keeps this in its own database, keyed by envelope id
const consumer = await jetstream(nc).consumers.get(stream, durable);
let handled = 0;
let idleTimer;
const messages = await consumer.consume({ max_messages: 16 });
const armIdle = () => {
  if (!idleExitMs) return;
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => messages.stop(), idleExitMs);
};
armIdle();
for await (const msg of messages) {
  armIdle();
  let envelope;
  try {
    envelope = msg.json();
  } catch {
    msg.term('not JSON'); // never valid: do not redeliver
    continue;
  }
  if (!seen.has(envelope.id)) {
    seen.add(envelope.id);
    // The integration's work goes here: message the student, grade the lab, ... (throwing leaves it unacked).
    console.log(
      JSON.stringify({ id: envelope.id, type: envelope.type, subject: envelope.subject, data: envelope.data }),
    );
  }
  msg.ack();
  if (++handled >= maxMessages) break;
}
clearTimeout(idleTimer);
await nc.drain();
