// Chat logic shared by the Slack and Discord adapters: identities, the `/lab` command, messages from events and
// command outcomes, the rate-limited outbound queue, the claim API client and the relay's sent keys (in a JetStream KV
// bucket). Provider SDKs stay in the adapters.
export * from './chat-identity';
export * from './parse-lab-command';
export * from './render-chat-message';
export * from './render-provider-message';
export * from './plan-outbound-send';
export * from './outbound-queue';
export * from './claim-api-client';
export * from './run-lab-command';
export * from './notify-chat-users';
export * from './seen-keys';
export * from './sent-keys';
export * from './kv-sent-keys';
export * from './chat-adapter-config';
export * from './relay-chat-events';
