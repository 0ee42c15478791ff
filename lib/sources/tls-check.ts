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

/** Days a certificate may have left before Fulcrum warns. */
export const CERT_WARN_DAYS = 14;

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

export interface CertProblem {
  severity: 'warning' | 'critical';
  /** One sentence naming the endpoint. */
  message: string;
}

/** What is wrong with a certificate at `now`, if anything. Pure. */
export function certProblems(endpoint: string, c: CertInfo, now: number, warnDays = CERT_WARN_DAYS): CertProblem[] {
  const out: CertProblem[] = [];
  const days = (c.notAfter - now) / 86_400_000;
  const when = new Date(c.notAfter).toISOString();
  if (days <= 0) out.push({ severity: 'critical', message: `the certificate of ${endpoint} expired on ${when}` });
  else if (days < warnDays)
    out.push({
      severity: days < 3 ? 'critical' : 'warning',
      message: `the certificate of ${endpoint} expires in ${days < 1 ? `${Math.round(days * 24)} hours` : `${Math.floor(days)} days`} (${when})`,
    });
  if (!c.nameMatches)
    out.push({
      severity: 'critical',
      message: `the certificate of ${endpoint} does not cover ${new URL(endpoint).hostname} (${c.altNames.length ? c.altNames.join(', ') : 'no subjectAltName'}): clients that check names refuse it`,
    });
  if (!c.trusted)
    out.push({
      severity: 'critical',
      message: `the certificate of ${endpoint} is not signed by the configured CA (${c.trustError})`,
    });
  return out;
}
