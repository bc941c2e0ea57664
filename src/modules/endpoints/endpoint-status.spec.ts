import { DomainError } from '../../common/errors/domain-error';
import { activated, applyDisabledFlag, pauseToggled } from './endpoint-status';
import { authHeaderProblem } from './endpoint-auth';
import { orderedKeyset } from './endpoints.repository';

describe('endpoint status transitions', () => {
  it('toggles active and paused, and refuses to pause an inactive endpoint', () => {
    expect(pauseToggled('active')).toBe('paused');
    expect(pauseToggled('paused')).toBe('active');
    expect(() => pauseToggled('inactive')).toThrow(DomainError);
  });

  it('activates from any status', () => {
    expect(activated('inactive')).toBe('active');
    expect(activated('paused')).toBe('active');
    expect(activated('active')).toBe('active');
  });

  it('maps is_disabled without waking a paused endpoint', () => {
    expect(applyDisabledFlag('active', undefined)).toBe('active');
    expect(applyDisabledFlag('paused', true)).toBe('inactive');
    expect(applyDisabledFlag('inactive', false)).toBe('active');
    expect(applyDisabledFlag('paused', false)).toBe('paused');
  });
});

describe('endpoint authentication headers', () => {
  it('refuses hop-by-hop and signature header names', () => {
    expect(authHeaderProblem('X-Api-Key', 'X-Convoy-Signature')).toBeUndefined();
    expect(authHeaderProblem('Transfer-Encoding', 'X-Convoy-Signature')).toMatch(/reserved/);
    expect(authHeaderProblem('webhook-signature', 'X-Convoy-Signature')).toMatch(/reserved/);
    expect(authHeaderProblem('X-Acme-Sig', 'X-Acme-Sig')).toMatch(/reserved/);
  });
});

describe('list ordering', () => {
  it('pages ascending by scanning the other way', () => {
    const page = { perPage: 10, direction: 'next' as const, cursor: 'A' };
    expect(orderedKeyset(page, 'DESC')).toBe(page);
    expect(orderedKeyset(page, 'ASC').direction).toBe('prev');
    expect(orderedKeyset({ ...page, direction: 'prev' }, 'ASC').direction).toBe('next');
  });
});
