import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The checked-in openapi.json is what SDK generators and API users read, so it must be
 * exactly what the built app serves. Regenerate with `npm run openapi`.
 */
describe('OpenAPI document', () => {
  const root = join(__dirname, '..', '..');
  const generated = execFileSync(process.execPath, [join(root, 'dist', 'src', 'cli.js'), 'openapi'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent' },
  });
  const doc = JSON.parse(generated) as { paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>> };

  it('matches the checked-in openapi.json (run `npm run openapi` after changing DTOs or routes)', () => {
    const checkedIn = readFileSync(join(root, 'openapi.json'), 'utf8');
    expect(generated).toBe(checkedIn);
  });

  it('gives every operation a unique, readable id and a documented success answer', () => {
    const ids: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      // the REST API, and the portal API a portal link's token opens
      expect(path.startsWith('/api/v1/') || path.startsWith('/portal-api/')).toBe(true);
      for (const op of Object.values(ops)) {
        expect(op.operationId).toMatch(/^[A-Za-z]+_[A-Za-z]+$/);
        ids.push(op.operationId!);
        expect(Object.keys(op.responses ?? {}).some((s) => s.startsWith('2'))).toBe(true);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});
