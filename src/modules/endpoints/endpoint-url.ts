import { validateEndpointUrl } from '../../../libs/ssrf/url-policy';
import { unprocessable } from '../../common/errors/domain-error';

/**
 * Write-time URL check (400 with the policy's code). It only catches what is wrong on its
 * face; the dial-time check in the delivery path stays the real control.
 */
export function checkEndpointUrl(url: string, field: string, opts: { allow: string[]; requireHttps: boolean }): string {
  const verdict = validateEndpointUrl(url, opts);
  if (!verdict.ok) throw unprocessable(verdict.code, verdict.reason, { field });
  return url;
}
