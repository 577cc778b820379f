// The provisioner's configuration: the tenant VMs' default bandwidth, `none` to turn a limit off, and one-line errors
// naming the variable for anything the container runtime would refuse.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@kubelabs/config';
import { ProvisionerConfig, renderOptionsFrom } from './config';
import { defaultNodeImage } from './render';

const required = { NATS_URL: 'nats://127.0.0.1:4222', MONGO_URL: 'mongodb://127.0.0.1:27017/kubelabs' };
const load = (env: Record<string, string> = {}) => loadConfig(ProvisionerConfig, { ...required, ...env });

describe('ProvisionerConfig', () => {
  it.each<{ name: string; env: Record<string, string>; vmBandwidth: { ingress?: string; egress?: string } }>([
    { name: '100M each way by default', env: {}, vmBandwidth: { ingress: '100M', egress: '100M' } },
    {
      name: 'the default for an empty variable',
      env: { TENANT_EGRESS_BANDWIDTH: '' },
      vmBandwidth: { ingress: '100M', egress: '100M' },
    },
    {
      name: 'the rates given',
      env: { TENANT_INGRESS_BANDWIDTH: '1G', TENANT_EGRESS_BANDWIDTH: '512Mi' },
      vmBandwidth: { ingress: '1G', egress: '512Mi' },
    },
    { name: 'no egress limit for none', env: { TENANT_EGRESS_BANDWIDTH: 'none' }, vmBandwidth: { ingress: '100M' } },
    {
      name: 'no limit at all for none both ways',
      env: { TENANT_INGRESS_BANDWIDTH: 'none', TENANT_EGRESS_BANDWIDTH: 'none' },
      vmBandwidth: {},
    },
  ])('renders VMs with $name', ({ env, vmBandwidth }) => {
    expect(renderOptionsFrom(load(env)).vmBandwidth).toEqual(vmBandwidth);
  });

  it.each([
    { variable: 'TENANT_INGRESS_BANDWIDTH', value: '100 Mbit/s' },
    { variable: 'TENANT_INGRESS_BANDWIDTH', value: '100K' },
    { variable: 'TENANT_EGRESS_BANDWIDTH', value: '500' },
    { variable: 'TENANT_EGRESS_BANDWIDTH', value: '2P' },
    { variable: 'TENANT_EGRESS_BANDWIDTH', value: 'off' },
  ])('refuses $variable=$value in one line naming it', ({ variable, value }) => {
    let caught: unknown;
    try {
      load({ [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).variable).toBe(variable);
    expect((caught as ConfigError).message).toMatch(/from 1k to 1P \(such as 100M, 1G or 512Mi\), or none$/);
    expect((caught as ConfigError).message).not.toContain('\n');
  });

  it.each([
    {
      name: 'the image deploy/images builds by default',
      env: {} as Record<string, string>,
      nodeImage: defaultNodeImage,
    },
    {
      name: 'the operator’s registry',
      env: { NODE_IMAGE: 'registry.example.com/kubelabs/node:{version}' },
      nodeImage: 'registry.example.com/kubelabs/node:{version}',
    },
  ])('boots tenant VMs from $name', ({ env, nodeImage }) => {
    expect(renderOptionsFrom(load(env)).nodeImage).toBe(nodeImage);
    expect(defaultNodeImage).toBe('quay.io/kubelabs/ubuntu-kubeadm:{version}');
  });

  it.each(['registry.example.com/kubelabs/node:latest', 'node {version}', 'Registry.example/node:{version}'])(
    'refuses NODE_IMAGE=%s in one line naming it',
    (value) => {
      let caught: unknown;
      try {
        load({ NODE_IMAGE: value });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).variable).toBe('NODE_IMAGE');
      expect((caught as ConfigError).message).toContain('{version}');
    },
  );
});
