import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  cert: string;
  key: string;
}

export interface TestPki {
  ca: Pem;
  /** for 127.0.0.1, 127.0.0.2 and localhost, signed by the CA */
  server: Pem;
  /** a client certificate signed by the CA */
  client: Pem;
  /** a client certificate of another, untrusted CA */
  stranger: Pem;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function pem(dir: string, name: string): Pem {
  return { cert: readFileSync(join(dir, `${name}.crt`), 'utf8'), key: readFileSync(join(dir, `${name}.key`), 'utf8') };
}

/** A throwaway certificate authority with a server and client certificates, made with the openssl CLI. */
export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-pki-'));
  try {
    const key = (name: string) => openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`]);
    const selfSigned = (name: string, cn: string) => {
      key(name);
      openssl(dir, ['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-days', '2', '-out', `${name}.crt`]);
    };
    const signed = (name: string, cn: string, ca: string, ext: string) => {
      key(name);
      openssl(dir, ['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${cn}`, '-out', `${name}.csr`]);
      writeFileSync(join(dir, `${name}.ext`), ext);
      openssl(dir, [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${ca}.crt`,
        '-CAkey',
        `${ca}.key`,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        `${name}.ext`,
        '-out',
        `${name}.crt`,
      ]);
    };
    selfSigned('ca', 'Caravan Test CA');
    selfSigned('other-ca', 'Another CA');
    signed('server', 'localhost', 'ca', 'subjectAltName=IP:127.0.0.1,IP:127.0.0.2,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    signed('client', 'caravan-client', 'ca', 'extendedKeyUsage=clientAuth\n');
    signed('stranger', 'stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
    return { ca: pem(dir, 'ca'), server: pem(dir, 'server'), client: pem(dir, 'client'), stranger: pem(dir, 'stranger') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
