import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES } from './env.schema';

/** Operators configure Caravan from the README: every variable must be documented there with its default. */
describe('README configuration table', () => {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');

  it.each(Object.values(VARIABLES).map((v) => [v.name, v.default ?? ''] as const))('documents %s with its default', (name, def) => {
    const row = readme.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));
    expect(row).toBeDefined();
    expect(row).toContain(def === '' ? '(unset)' : `\`${def}\``);
  });
});
