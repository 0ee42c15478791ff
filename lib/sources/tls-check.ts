// A member's TLS certificate, looked at directly: when it expires, whether it names the host
// Fulcrum connects to, whether the configured CA signs it. gRPC reports a bad certificate as
// "14 UNAVAILABLE: No connection established"; this says which endpoint and why. Only public
// certificate data is kept (never key material).
import tls from 'node:tls';
import type { TlsConfig } from '../config/load';

export interface CertInfo {
  /** ms epoch */
  notAfter: number;
  notBefore: number;
  subject: string;
  /** subjectAltName entries as OpenSSL prints them: "DNS:etcd-1, IP Address:10.0.0.1". */
  altNames: string[];
  issuer: string;
  /** The certificate covers the host of the endpoint URL. */
  nameMatches: boolean;
  /** Why it does not, in Node's words. */
  nameError: string | null;
  /** The configured CA (or the system's) signs it. */
  trusted: boolean;
  trustError: string | null;
}

function hostOf(url: string): { host: string; port: number; servername: string | undefined } {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const isIp = /^[\d.]+$/.test(host) || host.includes(':');
  return { host, port: Number(u.port || 443), servername: isIp ? undefined : host };
}

/** Connects to an https endpoint and reads its certificate. Rejects only when no TLS handshake happens. */
export function inspectCertificate(url: string, cfg: TlsConfig | null, timeoutMs: number): Promise<CertInfo> {
  const { host, port, servername } = hostOf(url);
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err: Error | null, info?: CertInfo) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err);
      else resolve(info!);
    };
    const sock = tls.connect({
      host,
      port,
      servername,
      ca: cfg?.ca,
      cert: cfg?.cert,
      key: cfg?.key?.reveal(),
      // read the certificate whatever it is; trust and name are checked below and reported
      rejectUnauthorized: false,
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    const timer = setTimeout(() => finish(new Error(`${url}: no TLS handshake within ${timeoutMs} ms`)), timeoutMs);
    sock.once('secureConnect', () => {
      const c = sock.getPeerCertificate(false);
      if (!c?.valid_to) return finish(new Error(`${url}: the server sent no certificate`));
      const nameErr = tls.checkServerIdentity(host, c);
      finish(null, {
        notAfter: Date.parse(c.valid_to),
        notBefore: Date.parse(c.valid_from),
        subject: c.subject?.CN ? `CN=${c.subject.CN}` : JSON.stringify(c.subject ?? {}),
        altNames: (c.subjectaltname ?? '').split(/,\s*/).filter(Boolean).slice(0, 50),
        issuer: c.issuer?.CN ? `CN=${c.issuer.CN}` : '',
        nameMatches: nameErr === undefined,
        nameError: nameErr ? nameErr.message : null,
        trusted: sock.authorized,
        trustError: sock.authorized ? null : String(sock.authorizationError ?? 'not trusted'),
      });
    });
    sock.once('error', (e: NodeJS.ErrnoException) => finish(new Error(`${url}: TLS: ${e.code ?? e.message}`)));
  });
}
