import { tracingSettings } from './tracing-settings';

describe('tracingSettings', () => {
  it('is off without an endpoint, and names the service caravan by default', () => {
    expect(tracingSettings({})).toEqual({ endpoint: undefined, serviceName: 'caravan' });
  });

  it('reads the endpoint and the service name', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: ' http://collector:4318 ', OTEL_SERVICE_NAME: 'gw' })).toEqual({
      endpoint: 'http://collector:4318',
      serviceName: 'gw',
    });
  });

  it('stays off on a malformed endpoint or an unsupported protocol, leaving the report to the config check', () => {
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'not a url' }).endpoint).toBeUndefined();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }).endpoint).toBeUndefined();
  });
});
