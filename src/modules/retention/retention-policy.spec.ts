import { projectRetentionMs } from './retention-policy';

describe('projectRetentionMs', () => {
  const instance = 720 * 3_600_000;

  it("takes the project's policy over the instance's", () => {
    expect(projectRetentionMs('24h', instance)).toBe(86_400_000);
    expect(projectRetentionMs('0', instance)).toBe(0);
    expect(projectRetentionMs('off', instance)).toBe(0);
  });

  it("falls back to the instance's policy when the project has none or a broken one", () => {
    expect(projectRetentionMs(undefined, instance)).toBe(instance);
    expect(projectRetentionMs('', instance)).toBe(instance);
    expect(projectRetentionMs('a week', instance)).toBe(instance);
    expect(projectRetentionMs(undefined, 0)).toBe(0);
  });
});
