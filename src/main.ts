import 'reflect-metadata';
import { main } from './cli';

/** `npm start`: everything in one process (migrations first). */
main(['start']).catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
