import { createHash, createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import type { SealedSecret } from '../../common/crypto/secret-box';

/** As stored in `endpoints.mtls_client_cert`: the certificate in clear, its key sealed. */
export interface StoredClientCertificate {
  client_cert: string;
  client_key: SealedSecret;
  /** when the certificate stops being valid (RFC 3339) */
  not_after: string;
}

/**
 * Why a client certificate and key cannot be presented, or undefined when they can: both
 * PEM, the key is the certificate's, and the certificate is valid now (Convoy's checks).
 */
export function clientCertificateProblem(cert: string, key: string, now: Date, field = 'mtls_client_cert'): string | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    return `${field}.client_cert is not a PEM certificate`;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(key);
  } catch {
    return `${field}.client_key is not an unencrypted PEM private key`;
  }
  if (!x509.checkPrivateKey(privateKey)) return `${field}.client_key does not match the certificate in ${field}.client_cert`;
  if (Date.parse(x509.validFrom) > now.getTime()) return `${field}.client_cert is not valid before ${new Date(x509.validFrom).toISOString()}`;
  if (Date.parse(x509.validTo) <= now.getTime()) return `${field}.client_cert expired on ${new Date(x509.validTo).toISOString()}`;
  return undefined;
}

export function certificateNotAfter(cert: string): string {
  return new Date(new X509Certificate(cert).validTo).toISOString();
}

/** Changes whenever the certificate or its sealed key does: keys the endpoint's connection pool. */
export function clientCertificateVersion(stored: StoredClientCertificate): string {
  return createHash('sha256').update(stored.client_cert).update(stored.client_key.ct).digest('base64url').slice(0, 16);
}
