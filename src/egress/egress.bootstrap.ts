import type { CaravanConfig } from '../../libs/config';

export function createEgressApp(_config: CaravanConfig): Promise<{ close(): Promise<void> }> {
  return Promise.resolve({ close: () => Promise.resolve() });
}
