/**
 * For views limited to some endpoints (a portal link's): the endpoints of `scope` that
 * `requested` names, or all of `scope` when nothing is requested. A request can narrow a
 * scope, never widen it; an empty answer means the view holds nothing.
 */
export function narrowed(scope: readonly string[], requested: readonly string[] | undefined): string[] {
  if (!requested?.length) return [...scope];
  const allowed = new Set(scope);
  return [...new Set(requested)].filter((id) => allowed.has(id));
}
