import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { PurgeArchive } from '../../../libs/database/purge';

/**
 * Convoy's on-prem export: the rows retention removes, as JSON lines in one gzip file per
 * table and run (`<table>-<run start>.jsonl.gz`). Each batch is appended as a gzip member
 * of its own and synced before the batch's delete commits, so what is gone is on disk;
 * `gunzip`/`zcat` read the members as one stream.
 */
export class RetentionExport {
  readonly files = new Map<string, string>();

  constructor(
    private readonly dir: string,
    private readonly runStartedAt: Date,
  ) {}

  readonly archive: PurgeArchive = async (table, rows) => {
    if (rows.length === 0) return;
    await mkdir(this.dir, { recursive: true });
    let file = this.files.get(table);
    if (!file) {
      file = join(this.dir, `${table}-${this.runStartedAt.toISOString().replace(/[:.]/g, '-')}.jsonl.gz`);
      this.files.set(table, file);
    }
    const chunk = gzipSync(rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const handle = await open(file, 'a', 0o600);
    try {
      await handle.write(chunk);
      await handle.sync();
    } finally {
      await handle.close();
    }
  };
}
