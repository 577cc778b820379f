// The webhook settings both the claim API (which checks a subscription's target and seals its secret) and the webhook
// dispatcher (which checks the target again at every attempt and signs with the secret) read, validated alike.
import { ValidateBy, type ValidationArguments } from 'class-validator';
import { isIPv4, isIPv6 } from 'node:net';

/** `a/b,c/d` into its items; `none` or nothing is the empty list. */
export function splitCidrList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed === 'none') return [];
  return trimmed.split(',').map((item) => item.trim());
}

function isCidr(text: string): boolean {
  const match = /^([0-9a-fA-F:.]+)\/([0-9]{1,3})$/.exec(text);
  if (!match) return false;
  const prefix = Number(match[2]);
  return (isIPv4(match[1]!) && prefix <= 32) || (isIPv6(match[1]!) && prefix <= 128);
}

/** Comma-separated CIDRs (IPv4 and IPv6 may mix), or `none`. */
export const EnvCidrs = (): PropertyDecorator =>
  ValidateBy({
    name: 'envCidrs',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && splitCidrList(value).every(isCidr),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be comma-separated CIDRs (e.g. 10.0.0.0/8,fc00::/7) or none`,
    },
  });

/** A 256-bit key, base64 (`openssl rand -base64 32`). The message never repeats the value. */
export const EnvAes256Key = (): PropertyDecorator =>
  ValidateBy({
    name: 'envAes256Key',
    validator: {
      validate: (value: unknown) =>
        value === undefined ||
        (typeof value === 'string' &&
          /^[A-Za-z0-9+/_-]{43}=?$/.test(value) &&
          Buffer.from(value, 'base64').length === 32),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be 32 random bytes in base64 (openssl rand -base64 32)`,
    },
  });

/** Comma-separated 256-bit keys in base64, or nothing: keys being rotated out. The message never repeats a value. */
export const EnvAes256Keys = (): PropertyDecorator =>
  ValidateBy({
    name: 'envAes256Keys',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'string' &&
        splitKeyList(value).every(
          (key) => /^[A-Za-z0-9+/_-]{43}=?$/.test(key) && Buffer.from(key, 'base64').length === 32,
        ),
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property} must be comma-separated keys of 32 random bytes in base64, or empty`,
    },
  });

/** `k1,k2` into its items; empty for nothing. */
export function splitKeyList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * Ranges no webhook may call besides loopback, link-local and multicast (always refused): by default every private
 * and shared range, which covers the host cluster's pod, Service and (private) node ranges.
 */
export const defaultWebhookRefusedCidrs = '10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7';
