/**
 * The exact text of each member of a top-level JSON object, so a payload can be stored,
 * signed and sent byte for byte as the producer wrote it. Parsing (JSON.parse, then the
 * DTO transform) would change it: integers above 2^53 are rounded, and keys such as
 * `__proto__` or `constructor` can be dropped on the way to a DTO.
 *
 * The input must already be valid JSON (the body parser has parsed it); the scanner only
 * finds where each top-level value starts and ends. Like JSON.parse, the last of repeated
 * keys wins. Iterative, linear in the text's length.
 */
export function topLevelMembers(text: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  let i = skipWs(text, 0);
  if (text[i] !== '{') return undefined;
  i = skipWs(text, i + 1);
  if (text[i] === '}') return out;
  for (;;) {
    if (text[i] !== '"') return undefined;
    const keyEnd = stringEnd(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWs(text, keyEnd);
    if (text[i] !== ':') return undefined;
    const start = skipWs(text, i + 1);
    const end = valueEnd(text, start);
    if (end < 0) return undefined;
    out.set(key, text.slice(start, end));
    i = skipWs(text, end);
    if (text[i] === ',') {
      i = skipWs(text, i + 1);
      continue;
    }
    return text[i] === '}' ? out : undefined;
  }
}

function skipWs(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  return i;
}

/** The index after the closing quote of the string that opens at `i`. */
function stringEnd(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

/** The index after the value that starts at `i`, or -1. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = stringEnd(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return -1;
  }
  let j = i;
  while (
    j < text.length &&
    text[j] !== ',' &&
    text[j] !== '}' &&
    text[j] !== ']' &&
    text[j] !== ' ' &&
    text[j] !== '\n' &&
    text[j] !== '\r' &&
    text[j] !== '\t'
  )
    j++;
  return j > i ? j : -1;
}
