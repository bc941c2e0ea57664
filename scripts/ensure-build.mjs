// Builds dist/ when it is missing or older than the sources, so `npm run cli -- …` and
// `npm run migrate` work on a fresh clone (as `npm start` does through prestart) without
// paying for a build on every call. The build's output goes to stderr: stdout stays the
// command's own (`npm run -s cli -- openapi > openapi.json`).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'dist', 'src', 'cli.js');
const inputs = ['src', 'libs', 'migrations', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'nest-cli.json'];

function newest(path, depth = 0) {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  if (depth > 20) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const name of readdirSync(path)) m = Math.max(m, newest(join(path, name), depth + 1));
  return m;
}

const builtAt = existsSync(target) ? statSync(target).mtimeMs : 0;
const sourcesAt = Math.max(...inputs.map((p) => newest(join(root, p))));
if (builtAt === 0 || sourcesAt > builtAt) {
  process.stderr.write(builtAt === 0 ? 'building dist/ (first run)…\n' : 'sources changed since the last build: rebuilding dist/…\n');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
