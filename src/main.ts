import 'reflect-metadata';
import './app/tracing-preload';
import { reportFatal } from './app/fatal';
import { main } from './cli';

/** `npm start`: everything in one process (migrations first). */
main(['start']).catch((e: unknown) => {
  reportFatal(e);
  process.exit(1);
});
