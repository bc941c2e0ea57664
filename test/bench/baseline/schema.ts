/**
 * The baseline's tables: the least a durable gateway must keep. An event row and its
 * delivery rows are committed before the ack; each attempt is a row and a state change.
 */
export const BASELINE_SCHEMA = `
  CREATE TABLE endpoints (id text PRIMARY KEY, owner_id text NOT NULL, url text NOT NULL, secret text NOT NULL, timeout_ms integer NOT NULL);
  CREATE INDEX endpoints_owner_idx ON endpoints (owner_id);
  CREATE TABLE events (id text PRIMARY KEY, event_type text NOT NULL, data text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE deliveries (
    id text PRIMARY KEY,
    event_id text NOT NULL REFERENCES events(id),
    endpoint_id text NOT NULL REFERENCES endpoints(id),
    status text NOT NULL DEFAULT 'Scheduled',
    attempts integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE INDEX deliveries_event_idx ON deliveries (event_id);
  CREATE TABLE attempts (
    id bigserial PRIMARY KEY,
    delivery_id text NOT NULL REFERENCES deliveries(id),
    status_code integer,
    error text NOT NULL DEFAULT '',
    duration_ms integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  );
`;

export const BASELINE_RETRY_LIMIT = 3;
export const BASELINE_RETRY_DELAY_MS = 1000;
