import { narrowed } from '../../common/scope';
import { generatePortalToken, hashPortalSecret, parsePortalToken } from './portal-token';

describe('portal tokens', () => {
  it('are PRT.<mask>.<secret>, and only the mask and a salted hash of the secret are kept', () => {
    const g = generatePortalToken();
    const parsed = parsePortalToken(g.token);
    expect(parsed?.maskId).toBe(g.maskId);
    expect(hashPortalSecret(parsed!.secret, g.salt)).toBe(g.hash);
    expect(g.token).not.toContain(g.hash);
    expect(hashPortalSecret(parsed!.secret, 'another salt')).not.toBe(g.hash);
    expect(generatePortalToken().maskId).not.toBe(g.maskId);
  });

  it('refuses anything else as a token', () => {
    for (const t of [
      '',
      'CO.AAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBB',
      'PRT.short.BBBBBBBBBBBBBBBBBBBB',
      'PRT.AAAAAAAAAAAAAAAA.BBBB-BBBBBBBBBBBBBBB',
      'PRT.AAAAAAAAAAAAAAAA',
    ]) {
      expect(parsePortalToken(t)).toBeUndefined();
    }
  });
});

describe('narrowed (a portal scope and the filter a request sends)', () => {
  it('narrows the scope to the requested ids, never widens it', () => {
    expect(narrowed(['a', 'b'], undefined)).toEqual(['a', 'b']);
    expect(narrowed(['a', 'b'], [])).toEqual(['a', 'b']);
    expect(narrowed(['a', 'b'], ['b', 'c', 'b'])).toEqual(['b']);
    expect(narrowed(['a'], ['c'])).toEqual([]);
    expect(narrowed([], ['a'])).toEqual([]);
  });
});
