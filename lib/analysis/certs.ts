// What is wrong with a member's certificate at a given time, in sentences that name the
// endpoint. Pure: the certificate facts come from lib/sources/tls-check.ts.
import type { MemberCert } from '../types';

/** Days a certificate may have left before Fulcrum warns. */
export const CERT_WARN_DAYS = 14;

export interface CertProblem {
  severity: 'warning' | 'critical';
  /** One sentence naming the endpoint. */
  message: string;
}

/** What is wrong with a certificate at `now`, if anything. Pure. */
export function certProblems(
  endpoint: string,
  c: MemberCert & { trustError?: string | null },
  now: number,
  warnDays = CERT_WARN_DAYS,
): CertProblem[] {
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
      message: `the certificate of ${endpoint} is not signed by the configured CA (${c.trustError ?? 'unknown issuer'})`,
    });
  return out;
}
