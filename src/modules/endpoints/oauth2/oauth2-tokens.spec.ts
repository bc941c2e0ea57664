import type { SendOutcome, SendRequest, WebhookClient } from '../../webhook-http';
import type { OAuth2Config } from './oauth2-config';
import { OAuth2Tokens, TokenRequestError } from './oauth2-tokens';

const config: OAuth2Config = {
  url: 'https://auth.example.com/token',
  client_id: 'c',
  grant_type: 'client_credentials',
  scope: '',
  audience: '',
  authentication_type: 'shared_secret',
  client_secret: 's',
  signing_algorithm: '',
  issuer: '',
  subject: '',
  field_mapping: null,
  expiry_time_unit: 'seconds',
};

/** Stands in for the HTTP client at its boundary: answers token requests in order, counting them. */
class TokenEndpoint {
  requests: SendRequest[] = [];
  expiresIn = 100;
  status = 200;
  private pending: (() => void)[] = [];
  hold = false;

  client(): WebhookClient {
    return {
      send: async (req: SendRequest): Promise<SendOutcome> => {
        this.requests.push(req);
        const n = this.requests.length;
        if (this.hold) await new Promise<void>((r) => this.pending.push(r));
        const body = JSON.stringify(this.status === 200 ? { access_token: `t${n}`, expires_in: this.expiresIn } : { error: 'invalid_client' });
        return {
          ok: this.status === 200,
          status: this.status,
          headers: {},
          body,
          durationMs: 1,
          errorClass: '',
          error: '',
          requestedAt: new Date(),
          ipAddress: '',
        };
      },
    } as unknown as WebhookClient;
  }

  release(): void {
    this.hold = false;
    for (const r of this.pending.splice(0)) r();
  }
}

describe('OAuth2Tokens', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000_000;
  });

  it('reuses a token until shortly before it expires', async () => {
    const server = new TokenEndpoint();
    const tokens = new OAuth2Tokens(server.client());
    await expect(tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now })).resolves.toBe('Bearer t1');
    clock += 89_000;
    await expect(tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now })).resolves.toBe('Bearer t1');
    clock += 2_000; // past 90 % of its 100 s
    await expect(tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now })).resolves.toBe('Bearer t2');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[0].body).toBe('grant_type=client_credentials&client_id=c&client_secret=s');
  });

  it('asks once for concurrent deliveries', async () => {
    const server = new TokenEndpoint();
    server.hold = true;
    const tokens = new OAuth2Tokens(server.client());
    const all = Promise.all([1, 2, 3].map(() => tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now })));
    await new Promise((r) => setImmediate(r));
    server.release();
    await expect(all).resolves.toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1']);
    expect(server.requests).toHaveLength(1);
  });

  it('renews a rejected token once, and reuses a token another delivery already renewed', async () => {
    const server = new TokenEndpoint();
    const tokens = new OAuth2Tokens(server.client());
    const first = await tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now });
    await expect(tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now, rejected: first })).resolves.toBe('Bearer t2');
    await expect(tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now, rejected: first })).resolves.toBe('Bearer t2');
    expect(server.requests).toHaveLength(2);
  });

  it('never uses a token of other settings', async () => {
    const server = new TokenEndpoint();
    const tokens = new OAuth2Tokens(server.client());
    await tokens.authorization('ep', 'v1', config, { timeoutMs: 1000, now });
    await expect(tokens.authorization('ep', 'v2', config, { timeoutMs: 1000, now })).resolves.toBe('Bearer t2');
  });

  it('turns a refusal into a TokenRequestError with the server’s reason, and caches nothing', async () => {
    const server = new TokenEndpoint();
    server.status = 401;
    const tokens = new OAuth2Tokens(server.client());
    const failure = tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now });
    await expect(failure).rejects.toBeInstanceOf(TokenRequestError);
    await expect(tokens.authorization('ep', 'v', config, { timeoutMs: 1000, now })).rejects.toThrow('oauth2 token endpoint answered 401 (invalid_client)');
    expect(server.requests).toHaveLength(2);
  });
});
