import { eventTypesFromOpenApi } from './openapi-import';

const YAML = `
openapi: 3.1.0
info: { title: Shop, version: '1' }
webhooks:
  invoice.paid:
    post:
      summary: An invoice was paid
      tags: [billing]
      requestBody:
        content:
          application/json:
            schema:
              $ref: '#/components/schemas/Invoice'
  order.created:
    post:
      description: A new order
      requestBody:
        content:
          application/json:
            schema: { type: object, properties: { id: { type: string } } }
components:
  schemas:
    Money: { type: integer }
    Invoice:
      type: object
      properties:
        id: { type: string }
        amount: { $ref: '#/components/schemas/Money' }
`;

describe('eventTypesFromOpenApi', () => {
  it("reads each webhook's name, summary, tag and schema, with local references resolved", () => {
    expect(eventTypesFromOpenApi(YAML)).toEqual([
      {
        name: 'invoice.paid',
        description: 'An invoice was paid',
        category: 'billing',
        jsonSchema: { type: 'object', properties: { id: { type: 'string' }, amount: { type: 'integer' } } },
      },
      { name: 'order.created', description: 'A new order', category: '', jsonSchema: { type: 'object', properties: { id: { type: 'string' } } } },
    ]);
  });

  it('reads JSON documents too', () => {
    const json = JSON.stringify({ openapi: '3.1.0', webhooks: { 'a.b': { post: { summary: 's' } } } });
    expect(eventTypesFromOpenApi(json)).toEqual([{ name: 'a.b', description: 's', category: '', jsonSchema: null }]);
  });

  it.each([
    ['not a document', 'a: [', /neither JSON nor YAML/],
    ['OpenAPI 2', 'swagger: "2.0"', /not OpenAPI 3/],
    ['no webhooks', 'openapi: 3.1.0\npaths: {}', /no `webhooks`/],
    [
      'a dangling reference',
      "openapi: 3.1.0\nwebhooks:\n  x:\n    post:\n      requestBody: { content: { application/json: { schema: { $ref: '#/components/schemas/Nope' } } } }",
      /does not resolve/,
    ],
    [
      'a remote reference',
      "openapi: 3.1.0\nwebhooks:\n  x:\n    post:\n      requestBody: { content: { application/json: { schema: { $ref: 'http://x/y.json' } } } }",
      /only local references/,
    ],
    [
      'a self-reference',
      "openapi: 3.1.0\nwebhooks:\n  x:\n    post:\n      requestBody: { content: { application/json: { schema: { $ref: '#/components/schemas/A' } } } }\ncomponents: { schemas: { A: { $ref: '#/components/schemas/A' } } }",
      /too deeply/,
    ],
  ])('refuses %s, saying why', (_what, spec, message) => {
    expect(() => eventTypesFromOpenApi(spec)).toThrow(message);
  });
});
