// Lab checks: evaluated by the platform on a tenant's cluster, through its API with the platform's own credentials or
// over SSH with the platform's key. Pure evaluation (evaluate-check, planCheckResults); bounded, read-only I/O.
export {
  evaluateCheck,
  type CheckObservation,
  type CheckOutcome,
  type ObservedNode,
  type SshRun,
} from './evaluate-check';
export { observeCheck, type CheckTarget } from './observe-check';
export { getTenantApi, getTenantObject, type TenantApiResponse } from './get-tenant-api';
export { runSshScript, type SshAccess, type SshTarget } from './run-ssh-script';
export { runChecks, planCheckResults, defaultTitle, type DeclaredCheck } from './run-checks';
