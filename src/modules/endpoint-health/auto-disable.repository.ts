import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The marks of endpoints the gateway disabled itself. */
@Injectable()
export class AutoDisableRepository {
  constructor(private readonly ds: DataSource) {}

  async mark(projectId: string, endpointId: string, reason: string): Promise<void> {
    await this.ds.query(
      `INSERT INTO endpoint_auto_disables (endpoint_id, project_id, reason) VALUES ($1, $2, $3)
       ON CONFLICT (endpoint_id) DO UPDATE SET reason = EXCLUDED.reason, disabled_at = now()`,
      [endpointId, projectId, reason],
    );
  }

  async isMarked(endpointId: string): Promise<boolean> {
    const rows: unknown[] = await this.ds.query(`SELECT 1 FROM endpoint_auto_disables WHERE endpoint_id = $1`, [endpointId]);
    return rows.length > 0;
  }

  async clear(endpointId: string): Promise<void> {
    await this.ds.query(`DELETE FROM endpoint_auto_disables WHERE endpoint_id = $1`, [endpointId]);
  }
}
