export { EndpointHealthModule } from './endpoint-health.module';
export { EndpointGate, effectiveConcurrency, effectiveRate } from './endpoint-gate';
export type { DeferReason, GateDecision, GateHints, Pass } from './endpoint-gate';
export { EndpointDisabler } from './endpoint-disabler';
export { EndpointHealthStore } from './endpoint-health.store';
