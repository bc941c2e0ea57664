import { controlCharacterField, prototypeKeyField } from './request-guards';

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

describe('prototypeKeyField', () => {
  it('finds __proto__, constructor and prototype among fields', () => {
    expect(prototypeKeyField(JSON.parse('{"name":"x","__proto__":{"a":1}}'))).toBe('__proto__');
    expect(prototypeKeyField(JSON.parse('{"authentication":{"api_key":{"constructor":1}}}'))).toBe('authentication.api_key.constructor');
    expect(prototypeKeyField(JSON.parse('{"versions":[{"prototype":1}]}'))).toBe('versions[0].prototype');
  });

  it('leaves payloads, filters and schemas alone', () => {
    expect(prototypeKeyField(JSON.parse('{"event_type":"x","data":{"__proto__":1,"constructor":2}}'))).toBeUndefined();
    expect(prototypeKeyField(JSON.parse('{"filter_config":{"filter":{"body":{"constructor":"c"}}}}'))).toBeUndefined();
    expect(prototypeKeyField(undefined)).toBeUndefined();
  });
});
