import { parseGoDuration } from '../../../libs/config';

/**
 * How long a project's rows are kept, in ms (0: for ever): its own `retention_policy`
 * when it has a valid one, else the instance's RETENTION_POLICY.
 */
export function projectRetentionMs(projectPolicy: string | undefined, instanceMs: number): number {
  if (projectPolicy === undefined || projectPolicy.trim() === '') return instanceMs;
  return parseGoDuration(projectPolicy) ?? instanceMs;
}
