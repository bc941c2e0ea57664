export type Principal = { kind: 'instance'; keyId: string } | { kind: 'project'; projectId: string; keyId: string };

export const PRINCIPAL = Symbol.for('caravan.principal');

export function isInstance(p: Principal): boolean {
  return p.kind === 'instance';
}
