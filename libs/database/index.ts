export * from './data-source-options';
export * from './database-errors';
export * from './database.module';
export * from './migrate';
export * from './keyset';
export * from './sql';
export * from './purge';
