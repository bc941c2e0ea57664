/**
 * Imported first by every entry point: starts tracing, when OTEL_EXPORTER_OTLP_ENDPOINT
 * is set, before any module it instruments (pg, ioredis, undici, http) is loaded.
 */
import { tracingSettings } from '../../libs/config/tracing-settings';
import { processRole, startTracing } from '../../libs/observability/tracing-sdk';

const role = processRole();
if (role) startTracing({ ...tracingSettings(), role });
