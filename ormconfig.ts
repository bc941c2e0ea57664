import { DataSource } from 'typeorm';
import { loadConfig } from './libs/config';
import { buildDataSourceOptions } from './libs/database/data-source-options';

/** TypeORM CLI data source: `npx typeorm migration:run -d dist/ormconfig.js`. */
export default new DataSource(buildDataSourceOptions(loadConfig()));
