import { describe, expect, it } from 'vitest';
import { loadConfig } from '@kubelabs/config';
import { limitsFrom, SyncerConfig } from './config';

const base = { NATS_URL: 'nats://127.0.0.1:4222', MONGO_URL: 'mongodb://127.0.0.1:27017/kubelabs' };

describe('SyncerConfig', () => {
  it.each([
    { name: 'the defaults', lab: undefined, expected: { services: 4, ingresses: 4, ports: [{ from: 1, to: 65535 }] } },
    {
      name: "a lab's own limits over the defaults",
      lab: { services: 1, ports: '80,8000-8999' },
      expected: {
        services: 1,
        ingresses: 4,
        ports: [
          { from: 80, to: 80 },
          { from: 8000, to: 8999 },
        ],
      },
    },
    {
      name: 'a lab that exposes nothing',
      lab: { services: 0, ingresses: 0, ports: 'none' },
      expected: { services: 0, ingresses: 0, ports: [] },
    },
  ])('takes $name', ({ lab, expected }) => {
    expect(limitsFrom(loadConfig(SyncerConfig, base), lab)).toEqual(expected);
  });

  it.each([
    { name: 'SYNC_ALLOWED_PORTS', value: '80-70' },
    { name: 'SYNC_ALLOWED_PORTS', value: '0' },
    { name: 'SYNC_INGRESS_DOMAIN', value: 'localhost' },
    { name: 'SYNC_MAX_SERVICES', value: '51' },
    { name: 'EXPOSURE_PUBLIC_HOST', value: 'not a host' },
  ])('refuses $name=$value with a line naming it', ({ name, value }) => {
    expect(() => loadConfig(SyncerConfig, { ...base, [name]: value })).toThrow(name);
  });
});
