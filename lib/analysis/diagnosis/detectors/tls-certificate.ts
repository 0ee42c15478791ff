// tls-certificate: a member's certificate that expires within 14 days, has expired, does not
// name the host clients connect to, or is not signed by the configured CA. Needs the time of the
// poll (input.t): a certificate's age is the one thing here that changes with the clock alone.
import { CERT_WARN_DAYS, certProblems } from '../../certs';
import type { Candidate, Detector } from '../types';
import { sq } from '../fixes';
import { result } from './common';

export const tlsCertificate: Detector = {
  kind: 'tls-certificate',
  run(input) {
    const https = input.members.filter((m) => m.endpoint.startsWith('https:'));
    // plain HTTP: nothing to check, and nothing unchecked
    if (https.length === 0) return result('tls-certificate', [], 'no https endpoints: no certificates to check');
    const seen = https.filter((m) => m.cert);
    if (seen.length === 0) return result('tls-certificate', [], '', 'no certificate seen yet');
    const candidates: Candidate[] = [];
    for (const m of seen) {
      const c = m.cert!;
      const problems = certProblems(m.endpoint, c, input.t);
      if (problems.length === 0) continue;
      const host = new URL(m.endpoint).hostname;
      const ip = /^[\d.]+$/.test(host) || host.includes(':');
      candidates.push({
        kind: 'tls-certificate',
        members: [m.endpoint],
        severity: problems.some((p) => p.severity === 'critical') ? 'critical' : 'warning',
        title: `${m.name}'s certificate: ${problems[0].message.replace(/^the certificate of \S+ /, '')}`,
        summary: `${problems.map((p) => p.message).join('; ')}.`,
        evidence: [
          {
            label: 'not after',
            value: new Date(c.notAfter).toISOString(),
            threshold: `> ${CERT_WARN_DAYS} days ahead`,
            member: m.endpoint,
          },
          { label: 'subject', value: c.subject, member: m.endpoint },
          { label: 'names (subjectAltName)', value: c.altNames.join(', ') || 'none', member: m.endpoint },
          { label: 'names the host', value: c.nameMatches ? `yes (${host})` : `no (${host})`, member: m.endpoint },
          { label: 'signed by the configured CA', value: c.trusted ? 'yes' : 'no', member: m.endpoint },
        ],
        fixes: [
          {
            title: `Issue ${m.name} a new certificate that names ${host}`,
            format: 'shell',
            body: [
              `# with your CA; subjectAltName must cover every name and IP clients use for ${m.name}`,
              `openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ${m.name}-key.pem -subj /CN=${m.name} -out ${m.name}.csr`,
              `openssl x509 -req -in ${m.name}.csr -CA ca.pem -CAkey ca-key.pem -days 365 -out ${m.name}.pem \\`,
              `  -extfile <(printf 'subjectAltName=${ip ? `IP:${host}` : `DNS:${host}`}\\nextendedKeyUsage=serverAuth,clientAuth')`,
              `# then point --cert-file/--key-file at them and restart ${m.name} (one member at a time)`,
              `openssl s_client -connect ${sq(new URL(m.endpoint).host)} -servername ${host} </dev/null 2>/dev/null | openssl x509 -noout -enddate -ext subjectAltName`,
            ].join('\n'),
            why: 'clients (and the balancer, if it checks names) refuse a certificate that has expired or names another host: the member drops out for them',
            risk: 'a member restart; renew well before expiry and check the new certificate with the last command before restarting',
          },
        ],
        confidence: 0.95,
        raiseAfter: 1,
      });
    }
    return result(
      'tls-certificate',
      candidates,
      `${seen.length} certificate(s) valid for over ${CERT_WARN_DAYS} days, naming their hosts`,
    );
  },
};
