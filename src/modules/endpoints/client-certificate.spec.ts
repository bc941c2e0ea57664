import { X509Certificate } from 'node:crypto';
import { createTestPki, TestPki } from '../../../libs/testing/test-pki';
import { clientCertificateProblem } from './client-certificate';

describe('clientCertificateProblem', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });

  it('takes a certificate with its own key while it is valid', () => {
    expect(clientCertificateProblem(pki.client.cert, pki.client.key, new Date())).toBeUndefined();
  });

  it('names the field that is wrong', () => {
    const now = new Date();
    expect(clientCertificateProblem(pki.client.cert, pki.stranger.key, now)).toBe(
      'mtls_client_cert.client_key does not match the certificate in mtls_client_cert.client_cert',
    );
    expect(clientCertificateProblem('not a pem', pki.client.key, now)).toBe('mtls_client_cert.client_cert is not a PEM certificate');
    expect(clientCertificateProblem(pki.client.cert, 'nope', now)).toBe('mtls_client_cert.client_key is not an unencrypted PEM private key');
  });

  it('refuses a certificate outside its validity period', () => {
    const x = new X509Certificate(pki.client.cert);
    const after = new Date(Date.parse(x.validTo) + 1000);
    const before = new Date(Date.parse(x.validFrom) - 1000);
    expect(clientCertificateProblem(pki.client.cert, pki.client.key, after)).toMatch(/^mtls_client_cert.client_cert expired on /);
    expect(clientCertificateProblem(pki.client.cert, pki.client.key, before)).toMatch(/^mtls_client_cert.client_cert is not valid before /);
  });
});
