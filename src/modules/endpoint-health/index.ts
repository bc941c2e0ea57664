export { EndpointHealthModule } from './endpoint-health.module';
export { EndpointGate, effectiveRate } from './endpoint-gate';
export type { DeferReason, GateDecision, GateHints, Pass } from './endpoint-gate';
export { EndpointDisabler, AUTO_DISABLE_REASON } from './endpoint-disabler';
export { EndpointHealthStore } from './endpoint-health.store';
export { ExpiredSecretPurger } from './expired-secret-purger';
