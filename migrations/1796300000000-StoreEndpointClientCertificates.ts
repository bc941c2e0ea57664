import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keeps the client certificate an endpoint presents on TLS connections (mTLS): the
 * certificate in clear and its key sealed, as JSON. Nullable, no default: adding it
 * rewrites nothing.
 */
export class StoreEndpointClientCertificates1796300000000 implements MigrationInterface {
  name = 'StoreEndpointClientCertificates1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET lock_timeout = '30s'`);
    await q.query(`ALTER TABLE endpoints ADD COLUMN mtls_client_cert jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE endpoints DROP COLUMN mtls_client_cert`);
  }
}
