import { controlCharacterField } from './request-guards';

describe('controlCharacterField', () => {
  it('names the path parameter or query value holding a control character', () => {
    expect(controlCharacterField({ projectID: 'p\u0000' }, {})).toBe('path parameter projectID');
    expect(controlCharacterField({ projectID: 'p' }, { endpointId: ['a', 'b\n'] })).toBe('query parameter endpointId');
    expect(controlCharacterField({}, { 'x\u0001': '1' })).toBe('query parameter name');
  });

  it('lets ordinary values through', () => {
    expect(controlCharacterField({ projectID: '01J8ZK' }, { q: 'a b/ü', perPage: '20' })).toBeUndefined();
    expect(controlCharacterField(undefined, undefined)).toBeUndefined();
  });
});
