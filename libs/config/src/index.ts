// Typed, validated configuration loaded once at start-up.
export { ConfigError, EnvBoolean, EnvInteger, EnvIntegerInRange, loadConfig, loadConfigOrExit } from './load-config';
export { PlatformConfig } from './platform-config';
export {
  defaultWebhookRefusedCidrs,
  EnvAes256Key,
  EnvAes256Keys,
  EnvCidrs,
  splitCidrList,
  splitKeyList,
} from './webhook-config';
