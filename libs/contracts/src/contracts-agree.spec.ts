// Code and contract cannot drift: every schema compiles, the generated files match what contracts/ produces today,
// subjects.json, the schema files, the AsyncAPI document and the exported lists all name the same messages.
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Parser, fromFile } from '@asyncapi/parser';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  commandSubjects,
  deadLetterSubject,
  eventTypes,
  headerNames,
  schemaDocuments,
  streamOf,
  subjectsDocument,
  validateCommand,
  validateCommandReply,
  validateEnvelope,
} from '@kubelabs/contracts';
import { isWireContract, renderContractArtifacts } from '../scripts/generate-contracts.mjs';

const repoRoot = resolve(import.meta.dirname, '../../..');
const contractsDir = join(repoRoot, 'contracts');

/** Wire schemas on disk (events/, commands/, shared definitions), relative to contracts/. */
async function schemaFilesOnDisk(): Promise<string[]> {
  return (await readdir(contractsDir, { recursive: true }))
    .filter((file) => file.endsWith('.schema.json') && isWireContract(file))
    .toSorted();
}

/** A NATS subject filter ('tenant.>', 'tenant.*') matches a concrete subject. */
function matches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length || (f[i] !== '*' && f[i] !== s[i])) return false;
  }
  return f.length === s.length;
}

describe('schemas', () => {
  it('compiles every schema file under strict mode', async () => {
    const ajv = new Ajv({ strict: true, allowMatchingProperties: true, allowUnionTypes: true });
    addFormats(ajv);
    const files = await schemaFilesOnDisk();
    for (const file of files) {
      ajv.addSchema(
        JSON.parse(await readFile(join(contractsDir, file), 'utf8')),
        `https://contracts.kubelabs.invalid/${file}`,
      );
    }
    for (const file of files)
      expect(() => ajv.getSchema(`https://contracts.kubelabs.invalid/${file}`), file).not.toThrow();
  });

  it('closes every payload object so that nothing unplanned (a secret) can ride along', () => {
    const allowedOpen = new Set(['events/envelope.schema.json/properties/data']);
    const open: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      if (schema.type === 'object' && schema.additionalProperties !== false && !allowedOpen.has(at)) open.push(at);
      for (const [key, value] of Object.entries(schema)) if (key !== 'examples') visit(value, `${at}/${key}`);
    };
    for (const [path, schema] of Object.entries(schemaDocuments))
      if (path !== 'subjects.schema.json') visit(schema, path);
    expect(open).toEqual([]);
  });

  it('declares no field whose name suggests a secret', () => {
    const secretish = /secret|token|password|passwd|private|credential|apikey|api_key|cert|kubeconfigContent/i;
    const names: string[] = [];
    const visit = (node: unknown, at: string): void => {
      if (!node || typeof node !== 'object') return;
      const schema = node as Record<string, unknown>;
      if (schema.properties && typeof schema.properties === 'object') {
        for (const name of Object.keys(schema.properties)) if (secretish.test(name)) names.push(`${at}/${name}`);
      }
      for (const [key, value] of Object.entries(schema)) if (key !== 'examples') visit(value, `${at}/${key}`);
    };
    for (const [path, schema] of Object.entries(schemaDocuments)) visit(schema, path);
    expect(names).toEqual([]);
  });
});

describe('other contracts', () => {
  it('uses the lab id and Kubernetes version patterns of the catalog schema, when there is one', async () => {
    const lab = await readFile(join(contractsDir, 'lab.schema.json'), 'utf8').catch(() => null);
    if (lab === null) return;
    const labDefs = (JSON.parse(lab) as { $defs?: Record<string, { pattern?: string }> }).$defs ?? {};
    const common = (schemaDocuments['common.schema.json'] as { definitions: Record<string, { pattern?: string }> })
      .definitions;
    for (const name of ['labId', 'kubernetesVersion']) {
      if (labDefs[name]?.pattern) expect(labDefs[name]?.pattern, name).toBe(common[name]?.pattern);
    }
  });
});

describe('generated code', () => {
  it('matches what the generator makes from contracts/ today (run: node libs/contracts/scripts/generate-contracts.mts)', async () => {
    for (const [path, expected] of await renderContractArtifacts()) {
      const committed = await readFile(join(repoRoot, path), 'utf8').catch(() => '(missing)');
      expect(committed, `${path} is stale: regenerate it`).toBe(expected);
    }
  });

  it('embeds every wire schema file that is on disk', async () => {
    expect(Object.keys(schemaDocuments).toSorted()).toEqual(await schemaFilesOnDisk());
  });
});

describe('subject catalog', () => {
  it('lists exactly the event types that have a payload schema, and the exported list agrees', async () => {
    const eventSchemas = (await schemaFilesOnDisk())
      .filter((file) => file.startsWith('events/') && file !== 'events/envelope.schema.json')
      .map((file) => file.slice('events/'.length, -'.schema.json'.length));
    const catalogTypes = subjectsDocument.events.map((event) => event.type);
    expect([...catalogTypes].toSorted()).toEqual(eventSchemas.toSorted());
    expect([...eventTypes]).toEqual(catalogTypes);
    for (const event of subjectsDocument.events) expect(event.schema).toBe(`events/${event.type}.schema.json`);
    expect([...commandSubjects]).toEqual(subjectsDocument.commands.map((command) => command.subject));
  });

  it('puts every event in exactly one stream that captures its subject, and no command in any stream', () => {
    const streams = Object.entries(subjectsDocument.streams);
    for (const type of eventTypes) {
      const capturing = streams
        .filter(([, stream]) => stream.subjects.some((filter) => matches(filter, type)))
        .map(([name]) => name);
      expect(capturing, type).toEqual([streamOf(type)]);
    }
    for (const subject of commandSubjects) {
      expect(
        streams.filter(([, stream]) => stream.subjects.some((filter) => matches(filter, subject))),
        subject,
      ).toEqual([]);
    }
    const deadLetters = subjectsDocument.streams[subjectsDocument.deadLetters.stream];
    expect(deadLetters?.subjects.some((filter) => matches(filter, deadLetterSubject('provisioner-tenant-ready')))).toBe(
      true,
    );
  });

  it('gives every event a publisher, and names only known services and integrations', () => {
    const known = new Set([...subjectsDocument.participants.services, ...subjectsDocument.participants.integrations]);
    for (const event of subjectsDocument.events) {
      expect(event.publishers.length, event.type).toBeGreaterThan(0);
      for (const who of [...event.publishers, ...event.subscribers])
        expect(known.has(who), `${event.type}: ${who}`).toBe(true);
    }
    for (const command of subjectsDocument.commands) {
      expect(command.responders, command.subject).toHaveLength(1);
      for (const who of [...command.responders, ...command.requesters])
        expect(known.has(who), `${command.subject}: ${who}`).toBe(true);
    }
  });

  it('documents every header name the code uses', () => {
    const documented = new Set(Object.values(subjectsDocument.headers).flatMap((headers) => Object.keys(headers)));
    for (const name of Object.values(headerNames)) expect(documented.has(name), name).toBe(true);
  });
});

describe('AsyncAPI document', () => {
  let document: NonNullable<Awaited<ReturnType<ReturnType<typeof fromFile>['parse']>>['document']>;

  beforeAll(async () => {
    const { document: parsed, diagnostics } = await fromFile(new Parser(), join(contractsDir, 'asyncapi.yaml')).parse();
    expect(diagnostics.map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([]);
    if (!parsed) throw new Error('contracts/asyncapi.yaml did not parse');
    document = parsed;
  });

  it('has one channel and message per event type, and nothing else but commands and dead letters', () => {
    const messageIds = document
      .messages()
      .all()
      .map((message) => message.id());
    const commandMessages = commandSubjects.map((subject) => `${subject.replace(/^cmd\./, '')}.request`);
    expect(messageIds.toSorted()).toEqual([...eventTypes, ...commandMessages, 'claim.reply', 'deadLetter'].toSorted());
    for (const type of eventTypes) expect(document.channels().get(type)?.address(), type).toBe(type);
    for (const subject of commandSubjects) expect(document.channels().get(subject)?.address(), subject).toBe(subject);
    expect(document.channels().get('deadletter')?.address()).toBe(deadLetterSubject('{consumer}'));
  });

  it('resolves each event payload to the envelope plus that event schema', () => {
    type Part = { title?: string; properties?: { data?: { title?: string } } };
    for (const type of eventTypes) {
      const json = document.messages().get(type)?.payload()?.json() as { schema?: { allOf: Part[] }; allOf?: Part[] };
      const allOf = json.schema?.allOf ?? json.allOf ?? [];
      expect(allOf[0]?.title, type).toBe('EventEnvelope');
      expect(allOf[1]?.properties?.data?.title, type).toBe(
        (schemaDocuments[`events/${type}.schema.json`] as { title: string }).title,
      );
    }
  });

  it('declares a send and a receive operation for every publisher and subscriber in the catalog', () => {
    const operations = new Set(
      document
        .operations()
        .all()
        .map((operation) => operation.id()),
    );
    for (const event of subjectsDocument.events) {
      for (const who of event.publishers) expect(operations.has(`${who}.send.${event.type}`)).toBe(true);
      for (const who of event.subscribers) expect(operations.has(`${who}.receive.${event.type}`)).toBe(true);
    }
  });

  it('shows only examples that the validators accept', () => {
    for (const message of document.messages().all()) {
      for (const example of message.examples().all()) {
        const payload = example.payload();
        const id = message.id();
        if (eventTypes.includes(id as never)) expect(validateEnvelope(payload), id).toBeNull();
        else if (id === 'claim.reply') expect(validateCommandReply('cmd.claim.get', payload), id).toBeNull();
        else if (id !== 'deadLetter')
          expect(validateCommand(`cmd.${id.replace(/\.request$/, '')}`, payload), id).toBeNull();
      }
    }
  });
});
