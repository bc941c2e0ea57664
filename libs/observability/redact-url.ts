/** Query parameters whose values are credentials; matched case-insensitively, `-` and `_` ignored. */
const SECRET_PARAMS = /^(token|apikey|key|accesstoken|secret|password|passwd|auth|authorization|signature|sig|code|clientsecret)$/;

/**
 * A URL fit for a log line: the value of every query parameter that looks like a credential
 * (`?token=…`, `?api_key=…`) replaced by `[redacted]`, and any user-info dropped. Logs are
 * read by more people than the keys are meant for.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1');
  if (q < 0) return path;
  const parts = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed name is logged as it came
      }
      return eq >= 0 && SECRET_PARAMS.test(decoded.toLowerCase().replace(/[-_]/g, '')) ? `${name}=[redacted]` : pair;
    });
  return `${path}?${parts.join('&')}`;
}
