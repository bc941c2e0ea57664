import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The core schema: projects and keys, endpoints, subscriptions, event types, events,
 * deliveries and attempts. Ids are ULIDs (text), so `ORDER BY id` is creation order and
 * keyset pagination needs no timestamp index. Mutable columns stay out of the big
 * indexes except the two partial indexes the sweeper needs.
 */
export class CreateCoreSchema1795000000000 implements MigrationInterface {
  name = 'CreateCoreSchema1795000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);

    await q.query(`
      CREATE TABLE instance_settings (
        key text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE projects (
        id text PRIMARY KEY,
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('outgoing', 'incoming')),
        logo_url text NOT NULL DEFAULT '',
        config jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        project_id text REFERENCES projects(id) ON DELETE CASCADE,
        key_type text NOT NULL CHECK (key_type IN ('instance', 'project')),
        name text NOT NULL DEFAULT '',
        mask_id text NOT NULL UNIQUE,
        hash text NOT NULL,
        salt text NOT NULL,
        expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_keys_project_idx ON api_keys (project_id, id)`);

    await q.query(`
      CREATE TABLE endpoints (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        owner_id text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'inactive')),
        secrets jsonb NOT NULL DEFAULT '[]',
        advanced_signatures boolean NOT NULL DEFAULT false,
        http_timeout integer NOT NULL DEFAULT 10,
        rate_limit integer NOT NULL DEFAULT 0,
        rate_limit_duration integer NOT NULL DEFAULT 0,
        max_concurrency integer,
        content_type text NOT NULL DEFAULT 'application/json',
        support_email text NOT NULL DEFAULT '',
        slack_webhook_url text NOT NULL DEFAULT '',
        authentication jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX endpoints_project_idx ON endpoints (project_id, id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX endpoints_owner_idx ON endpoints (project_id, owner_id) WHERE deleted_at IS NULL AND owner_id <> ''`);
    await q.query(`CREATE INDEX endpoints_url_idx ON endpoints (project_id, url) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE subscriptions (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        endpoint_id text NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
        source_id text,
        name text NOT NULL,
        type text NOT NULL DEFAULT 'api',
        delivery_mode text NOT NULL DEFAULT 'at_least_once' CHECK (delivery_mode IN ('at_least_once', 'at_most_once')),
        filter_config jsonb NOT NULL,
        rate_limit_config jsonb,
        alert_config jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX subscriptions_project_idx ON subscriptions (project_id, id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX subscriptions_endpoint_idx ON subscriptions (endpoint_id) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE event_types (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        category text NOT NULL DEFAULT '',
        json_schema jsonb,
        deprecated_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX event_types_name_uq ON event_types (project_id, name)`);

    // Events are append-mostly. `status` changes once or twice in an event's life and is
    // kept out of the indexes; `routed_at IS NULL` is the durable fan-out marker that the
    // router completes idempotently.
    await q.query(`
      CREATE TABLE events (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        event_type text NOT NULL,
        target jsonb NOT NULL,
        endpoints text[] NOT NULL DEFAULT '{}',
        source_id text,
        idempotency_key text,
        headers jsonb NOT NULL DEFAULT '{}',
        raw text NOT NULL,
        url_query_params text NOT NULL DEFAULT '',
        status text NOT NULL DEFAULT 'Pending',
        failure_reason text NOT NULL DEFAULT '',
        route_seq integer NOT NULL DEFAULT 0,
        routed_at timestamptz,
        acknowledged_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await q.query(`CREATE INDEX events_project_idx ON events (project_id, id)`);
    await q.query(`CREATE UNIQUE INDEX events_idempotency_uq ON events (project_id, idempotency_key) WHERE idempotency_key IS NOT NULL`);
    await q.query(`CREATE INDEX events_unrouted_idx ON events (id) WHERE routed_at IS NULL`);
    await q.query(`CREATE INDEX events_source_idx ON events (project_id, source_id, id) WHERE source_id IS NOT NULL`);
    await q.query(`CREATE INDEX events_endpoints_idx ON events USING gin (endpoints)`);

    await q.query(`
      CREATE TABLE event_deliveries (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        event_id text NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        endpoint_id text NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
        subscription_id text NOT NULL,
        route_seq integer NOT NULL DEFAULT 0,
        event_type text NOT NULL,
        status text NOT NULL DEFAULT 'Scheduled'
          CHECK (status IN ('Scheduled', 'Processing', 'Success', 'Failure', 'Retry', 'Discarded')),
        delivery_mode text NOT NULL DEFAULT 'at_least_once',
        headers jsonb NOT NULL DEFAULT '{}',
        attempts integer NOT NULL DEFAULT 0,
        retry_limit integer NOT NULL,
        generation integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        lease_owner text,
        description text NOT NULL DEFAULT '',
        latency_ms integer,
        acknowledged_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    // Unique per routing pass: routing is idempotent, and a replay (route_seq + 1) makes
    // new deliveries for the same subscriptions.
    await q.query(`CREATE UNIQUE INDEX event_deliveries_route_uq ON event_deliveries (event_id, subscription_id, route_seq)`);
    await q.query(`CREATE INDEX event_deliveries_project_idx ON event_deliveries (project_id, id)`);
    await q.query(`CREATE INDEX event_deliveries_event_idx ON event_deliveries (event_id)`);
    await q.query(`CREATE INDEX event_deliveries_endpoint_idx ON event_deliveries (endpoint_id, id)`);
    // The sweeper's two scans: due work, and leases that ran out.
    await q.query(`CREATE INDEX event_deliveries_due_idx ON event_deliveries (next_attempt_at) WHERE status IN ('Scheduled', 'Retry')`);
    await q.query(`CREATE INDEX event_deliveries_lease_idx ON event_deliveries (lease_until) WHERE status = 'Processing'`);

    await q.query(`
      CREATE TABLE delivery_attempts (
        id text PRIMARY KEY,
        project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
        event_delivery_id text NOT NULL REFERENCES event_deliveries(id) ON DELETE CASCADE,
        endpoint_id text NOT NULL,
        msg_id text NOT NULL,
        url text NOT NULL,
        method text NOT NULL DEFAULT 'POST',
        api_version text NOT NULL DEFAULT '2024-04-01',
        ip_address text NOT NULL DEFAULT '',
        request_http_header jsonb NOT NULL DEFAULT '{}',
        response_http_header jsonb NOT NULL DEFAULT '{}',
        http_status text NOT NULL DEFAULT '',
        response_data text NOT NULL DEFAULT '',
        error text NOT NULL DEFAULT '',
        error_class text NOT NULL DEFAULT '',
        status boolean NOT NULL,
        duration_ms integer NOT NULL DEFAULT 0,
        requested_at timestamptz NOT NULL,
        responded_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX delivery_attempts_delivery_idx ON delivery_attempts (event_delivery_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'delivery_attempts',
      'event_deliveries',
      'events',
      'event_types',
      'subscriptions',
      'endpoints',
      'api_keys',
      'projects',
      'instance_settings',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${t} CASCADE`);
    }
  }
}
