/**
 * Headers as Convoy's API shows them (`httpheader.HTTPHeader`): a map of name to a list of
 * values. Caravan stores one value per name; its SDKs validate the list shape.
 */
export function asHttpHeader(headers: Record<string, string> | null | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = [value];
  return out;
}
