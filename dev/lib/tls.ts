// A throwaway certificate authority for the TLS tests, made with Debian's `openssl`: a CA, server
// certificates with the SANs (names) you give, client certificates, and JWT signing keys for
// etcd's `--auth-token jwt`. Keys are EC P-256. Everything lives under one directory.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const OPENSSL_BIN = process.env.FULCRUM_OPENSSL_BIN ?? '/usr/bin/openssl';

function openssl(args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(OPENSSL_BIN, args, { cwd, timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`openssl ${args[0]} failed: ${String(stderr).trim().split('\n').slice(-3).join(' ')}`));
      else resolve(stdout);
    });
  });
}

export interface CertFiles {
  cert: string;
  key: string;
}

export interface TestCa {
  dir: string;
  /** CA certificate (PEM) file. */
  ca: string;
  /**
   * A leaf certificate signed by the CA. `sans` like ['IP:127.0.0.1', 'DNS:localhost'];
   * `days` ≥ 1 (a short-lived certificate: 1–13); `usage` server, client or both.
   */
  issue(
    name: string,
    opts: { cn?: string; sans?: string[]; days?: number; usage?: 'server' | 'client' | 'both' },
  ): Promise<CertFiles>;
  /** An RSA key pair for etcd's JWT tokens (`--auth-token jwt,pub-key=…,priv-key=…,sign-method=RS256`). */
  jwtKeys(): Promise<{ pub: string; priv: string }>;
}

const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export async function makeTestCa(dir: string): Promise<TestCa> {
  fs.mkdirSync(dir, { recursive: true });
  const ca = path.join(dir, 'ca.pem');
  const caKey = path.join(dir, 'ca-key.pem');
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', caKey], dir);
  await openssl(
    ['req', '-x509', '-new', '-key', caKey, '-sha256', '-days', '30', '-subj', '/CN=Fulcrum test CA', '-out', ca],
    dir,
  );
  let serial = 1;
  return {
    dir,
    ca,
    async issue(name, opts) {
      if (!NAME_RE.test(name)) throw new Error(`tls: certificate name must match ${NAME_RE}, got ${name}`);
      const days = opts.days ?? 30;
      if (!Number.isInteger(days) || days < 1) throw new Error(`tls: days must be an integer ≥ 1, got ${days}`);
      const key = path.join(dir, `${name}-key.pem`);
      const csr = path.join(dir, `${name}.csr`);
      const cert = path.join(dir, `${name}.pem`);
      const ext = path.join(dir, `${name}.ext`);
      const usage = opts.usage ?? 'server';
      const eku = usage === 'server' ? 'serverAuth' : usage === 'client' ? 'clientAuth' : 'serverAuth,clientAuth';
      fs.writeFileSync(
        ext,
        [
          'basicConstraints=CA:FALSE',
          'keyUsage=digitalSignature,keyEncipherment',
          `extendedKeyUsage=${eku}`,
          ...(opts.sans?.length ? [`subjectAltName=${opts.sans.join(',')}`] : []),
          '',
        ].join('\n'),
      );
      // PKCS#8: what Node and Go both read
      await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key], dir);
      await openssl(['req', '-new', '-key', key, '-subj', `/CN=${opts.cn ?? name}`, '-out', csr], dir);
      await openssl(
        [
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          ca,
          '-CAkey',
          caKey,
          '-set_serial',
          String(serial++),
          '-days',
          String(days),
          '-sha256',
          '-extfile',
          ext,
          '-out',
          cert,
        ],
        dir,
      );
      fs.chmodSync(key, 0o600);
      return { cert, key };
    },
    async jwtKeys() {
      const priv = path.join(dir, 'jwt-key.pem');
      const pub = path.join(dir, 'jwt-pub.pem');
      await openssl(['genrsa', '-out', priv, '2048'], dir);
      await openssl(['rsa', '-in', priv, '-pubout', '-out', pub], dir);
      return { pub, priv };
    },
  };
}
