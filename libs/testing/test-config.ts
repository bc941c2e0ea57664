import { CaravanConfig, loadConfig } from '../config';
import { TEST_REDIS_URL } from './test-redis';

export const TEST_ADMIN_KEY = 'test-admin-key-0123456789abcdef';

/** A config for tests: defaults plus overrides, never the developer's environment. */
export function testConfig(overrides: Partial<CaravanConfig> = {}): CaravanConfig {
  return loadConfig(
    {},
    {
      redisUrl: TEST_REDIS_URL,
      adminKey: TEST_ADMIN_KEY,
      logLevel: 'warn',
      workerHealthPort: 0,
      egressHealthPort: 0,
      encryptionKey: Buffer.alloc(32, 7),
      ...overrides,
    },
  );
}
