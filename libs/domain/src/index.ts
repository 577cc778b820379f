// Pure domain vocabulary shared by every service: labs, tenants, claims and typed errors. No I/O here.
export * from './domain-error';
export * from './lab';
export * from './lab-check';
export * from './bootstrap-outcome';
export * from './tenant';
export * from './claim';
export * from './stable-uuid';
export * from './tenant-objects';
export * from './vm-overhead';
export * from './generate-ssh-key-pair';
export * from './webhook';
