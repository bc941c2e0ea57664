import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * Holds the code to the ownership map of docs/architecture.md: a module's SQL writes only
 * the tables it owns (or, where the map says so, inserts into them), a status column moves
 * only in the file the map names, each queue is fed by its producer module and consumed by
 * its processor module, and every table the migrations create is in the map. The import
 * graph cannot see raw SQL or queue names; this test can.
 */
const ROOT = join(__dirname, '..', '..');
const MODULES = join(ROOT, 'src', 'modules');

interface TableRule {
  owner: string;
  inserters: string[];
  statusFile?: string;
}

interface QueueRule {
  producer: string;
  processor: string;
}

interface Write {
  file: string;
  module: string;
  table: string;
  kind: 'insert' | 'update' | 'delete';
  setsStatus: boolean;
}

/** The rows of the markdown table that follows `heading` in the document. */
function tableRows(doc: string, heading: string): string[][] {
  const at = doc.indexOf(`\n${heading}\n`);
  if (at < 0) throw new Error(`docs/architecture.md has no "${heading}" section`);
  const lines = doc.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const unquote = (cell: string): string => cell.replace(/`/g, '').trim();

export function parseOwnership(doc: string): { tables: Map<string, TableRule>; queues: Map<string, QueueRule> } {
  const tables = new Map<string, TableRule>();
  for (const [table, owner, also, status] of tableRows(doc, '### Tables')) {
    const inserters = [...also.matchAll(/([a-z-]+) \(insert/g)].map((m) => m[1]);
    tables.set(unquote(table), { owner: unquote(owner), inserters, statusFile: status === '—' ? undefined : unquote(status) });
  }
  const queues = new Map<string, QueueRule>();
  for (const [queue, producer, processor] of tableRows(doc, '### Queues')) {
    queues.set(unquote(queue), { producer: producer.split(' ')[0], processor: processor.split(' ')[0] });
  }
  return { tables, queues };
}

/** Table writes in SQL text: INSERT INTO t, UPDATE t [alias] SET ..., DELETE FROM t. */
export function sqlWrites(source: string): Omit<Write, 'file' | 'module'>[] {
  const out: Omit<Write, 'file' | 'module'>[] = [];
  for (const m of source.matchAll(/\bINSERT\s+INTO\s+([a-z_]+)/g)) out.push({ table: m[1], kind: 'insert', setsStatus: false });
  for (const m of source.matchAll(/\bDELETE\s+FROM\s+([a-z_]+)/g)) out.push({ table: m[1], kind: 'delete', setsStatus: false });
  for (const m of source.matchAll(/\bUPDATE\s+([a-z_]+)(?:\s+[a-z]\b)?\s+SET\b([\s\S]*?)(?:\bWHERE\b|\bFROM\b|`)/g)) {
    out.push({ table: m[1], kind: 'update', setsStatus: /(^|[\s,(])status\s*=/.test(m[2]) });
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [p] : [];
  });
}

function moduleOf(file: string): string {
  return relative(MODULES, file).split(sep)[0];
}

const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
const { tables, queues } = parseOwnership(doc);
const files = sourceFiles(join(ROOT, 'src')).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
const moduleFiles = files.filter((f) => f.file.startsWith(MODULES + sep));

/** Entity class name → table, from the @Entity decorators. */
const entityTables = new Map<string, string>();
for (const { text } of moduleFiles) {
  for (const m of text.matchAll(/@Entity\(\{ name: '([a-z_]+)' \}\)\s*export class (\w+)/g)) entityTables.set(m[2], m[1]);
}

function writesOf(f: { file: string; text: string }): Write[] {
  const module = moduleOf(f.file);
  const raw = sqlWrites(f.text).map((w) => ({ ...w, file: relative(ROOT, f.file), module }));
  // TypeORM writes through an entity manager or repository: m.update(EndpointEntity, ...)
  for (const m of f.text.matchAll(/\.(insert|update|delete|save|softDelete)\((\w+Entity)\b/g)) {
    const table = entityTables.get(m[2]);
    if (table) raw.push({ table, kind: m[1] === 'insert' || m[1] === 'save' ? 'insert' : 'update', setsStatus: false, file: relative(ROOT, f.file), module });
  }
  return raw;
}

describe('ownership map (docs/architecture.md)', () => {
  it('finds writes in SQL, so the checks below can fail', () => {
    expect(sqlWrites('`UPDATE subscriptions SET deleted_at = now() WHERE endpoint_id = $1`')).toEqual([
      { table: 'subscriptions', kind: 'update', setsStatus: false },
    ]);
    expect(sqlWrites("`UPDATE events e SET status = 'Failure', updated_at = now() WHERE e.id = $1`")).toEqual([
      { table: 'events', kind: 'update', setsStatus: true },
    ]);
    expect(sqlWrites('`INSERT INTO api_keys (id) VALUES ($1)` `DELETE FROM meta_events`').map((w) => w.table)).toEqual(['api_keys', 'meta_events']);
    expect(sqlWrites('`SELECT 1 FROM events WHERE id = $1 FOR NO KEY UPDATE`')).toEqual([]);
  });

  it('maps every table the migrations create', () => {
    const created = readdirSync(join(ROOT, 'migrations')).flatMap((f) => [
      ...readFileSync(join(ROOT, 'migrations', f), 'utf8').matchAll(/CREATE TABLE ([a-z_]+)/g),
    ]);
    expect(created.length).toBeGreaterThan(5);
    for (const m of created) expect([m[1], tables.has(m[1])]).toEqual([m[1], true]);
  });

  it("lets a module's SQL write only the tables it owns", () => {
    const wrong = moduleFiles
      .flatMap(writesOf)
      .filter((w) => {
        const rule = tables.get(w.table);
        if (!rule) return true;
        return w.module !== rule.owner && !(w.kind === 'insert' && rule.inserters.includes(w.module));
      })
      .map((w) => `${w.file}: ${w.kind} ${w.table}`);
    expect(wrong).toEqual([]);
  });

  it("registers TypeORM repositories only for the module's own tables", () => {
    const wrong: string[] = [];
    for (const f of moduleFiles) {
      for (const m of f.text.matchAll(/TypeOrmModule\.forFeature\(\[([^\]]*)\]\)/g)) {
        for (const entity of m[1].split(',').map((e) => e.trim())) {
          const owner = tables.get(entityTables.get(entity) ?? '')?.owner;
          if (owner !== moduleOf(f.file)) wrong.push(`${relative(ROOT, f.file)}: ${entity}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('writes no table outside the modules', () => {
    const outside = files.filter((f) => !f.file.startsWith(MODULES + sep) && !f.file.includes(`${sep}egress${sep}`));
    expect(outside.flatMap((f) => sqlWrites(f.text).map((w) => `${relative(ROOT, f.file)}: ${w.kind} ${w.table}`))).toEqual([]);
  });

  it('moves each status column only in the file the map names', () => {
    const wrong = moduleFiles
      .flatMap(writesOf)
      .filter((w) => w.setsStatus)
      .filter((w) => tables.get(w.table)?.statusFile !== `modules/${relative(MODULES, join(ROOT, w.file)).split(sep).join('/')}`)
      .map((w) => `${w.file}: sets ${w.table}.status`);
    expect(wrong).toEqual([]);
  });

  it('feeds each queue from its producer module and consumes it in its processor module', () => {
    const seen: string[] = [];
    for (const f of files) {
      const module = f.file.startsWith(MODULES + sep) ? moduleOf(f.file) : relative(ROOT, f.file);
      for (const m of f.text.matchAll(/@InjectQueue\(QUEUES\.(\w+)\)/g)) {
        seen.push(`produce ${m[1]}`);
        expect([m[1], module]).toEqual([m[1], queues.get(m[1])?.producer]);
      }
      for (const m of f.text.matchAll(/(?:startQueueWorker\(\s*[^,]+,\s*|extends QueueProcessor<\w+> \{[\s\S]*?super\()QUEUES\.(\w+)/g)) {
        seen.push(`consume ${m[1]}`);
        expect([m[1], module]).toEqual([m[1], queues.get(m[1])?.processor]);
      }
    }
    // one processor per queue, and every mapped queue is both fed and consumed
    for (const q of queues.keys()) {
      expect(seen.filter((s) => s === `consume ${q}`)).toHaveLength(1);
      expect(seen).toContain(`produce ${q}`);
    }
  });
});
