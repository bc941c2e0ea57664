/**
 * What an incoming webhook's body becomes: JSON as it came; an HTML form
 * (`application/x-www-form-urlencoded` or `multipart/form-data`) a flat JSON object of its
 * fields (the first value of each, files left out, as Convoy does); an empty body `{}`.
 */
export type InboundBody = { kind: 'json'; raw: Buffer } | { kind: 'form'; fields: Record<string, string> };

export class InboundBodyError extends Error {}

const MAX_FIELDS = 1000;

export function readInboundBody(contentType: string | undefined, raw: Buffer): InboundBody {
  if (raw.length === 0) return { kind: 'json', raw: Buffer.from('{}') };
  const [type, ...params] = (contentType ?? '').split(';').map((s) => s.trim());
  switch (type.toLowerCase()) {
    case 'application/x-www-form-urlencoded':
      return { kind: 'form', fields: urlEncodedFields(raw) };
    case 'multipart/form-data':
      return { kind: 'form', fields: multipartFields(raw, boundaryOf(params)) };
    default:
      // Convoy reads any other (or no) content type as JSON
      return { kind: 'json', raw };
  }
}

function urlEncodedFields(raw: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) {
    if (++n > MAX_FIELDS) throw new InboundBodyError(`a form may have at most ${MAX_FIELDS} fields`);
    if (!Object.hasOwn(out, k)) out[k] = v;
  }
  return out;
}

function boundaryOf(params: string[]): string {
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === 'boundary') {
      const b = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (b.length > 0 && b.length <= 200) return b;
    }
  }
  throw new InboundBodyError('multipart/form-data without a boundary');
}

function multipartFields(raw: Buffer, boundary: string): Record<string, string> {
  const delimiter = Buffer.from(`--${boundary}`);
  const out: Record<string, string> = {};
  let pos = raw.indexOf(delimiter);
  if (pos < 0) throw new InboundBodyError('multipart body without its boundary');
  for (let n = 0; n <= MAX_FIELDS; n++) {
    pos += delimiter.length;
    // `--` after a delimiter closes the body
    if (raw[pos] === 0x2d && raw[pos + 1] === 0x2d) return out;
    const next = raw.indexOf(delimiter, pos);
    if (next < 0) throw new InboundBodyError('multipart body is not closed');
    const part = raw.subarray(skipLineEnd(raw, pos), trimLineEnd(raw, next));
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0) throw new InboundBodyError('multipart part without headers');
    const head = part.subarray(0, headEnd).toString('utf8');
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(head)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const isFile = /;\s*filename\*?=/i.test(disposition);
    if (name !== undefined && !isFile && !Object.hasOwn(out, name)) out[name] = part.subarray(headEnd + 4).toString('utf8');
    pos = next;
  }
  throw new InboundBodyError(`a form may have at most ${MAX_FIELDS} fields`);
}

function skipLineEnd(buf: Buffer, at: number): number {
  return buf[at] === 0x0d && buf[at + 1] === 0x0a ? at + 2 : at;
}

function trimLineEnd(buf: Buffer, end: number): number {
  return end >= 2 && buf[end - 2] === 0x0d && buf[end - 1] === 0x0a ? end - 2 : end;
}
