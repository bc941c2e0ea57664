import { EgressDeniedError } from '../../../libs/ssrf';
import { classifyError } from './webhook-sender';

describe('classifyError', () => {
  it('tells the tenant the class of a denied address, never the address itself', () => {
    const e = new EgressDeniedError('private', 'db.internal', '10.0.0.5', 5432);
    const { errorClass, message } = classifyError(e);
    expect(errorClass).toBe('egress_denied:private');
    expect(message).toBe('egress denied: db.internal resolves to a private address');
    expect(message).not.toContain('10.0.0.5');
  });
});
