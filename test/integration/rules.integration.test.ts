// The generated alerting rules pass Prometheus' own checker (promtool from Debian's prometheus).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { alertRules } from '../../lib/analysis/rules';
import { parseConfig } from '../../lib/config/load';

describe('alerting rules', () => {
  it('pass promtool check rules, one group per cluster plus Fulcrum’s own', () => {
    const cfg = parseConfig(
      [
        'diagnosis: { alertLatencySeconds: 0.25 }',
        'clusters:',
        '  - name: prod',
        '    endpoints: ["http://10.0.0.1:2379", "http://10.0.0.2:2379", "http://10.0.0.3:2379"]',
        '    prometheus: { selector: \'job="etcd",env=~"prod|"\' }',
        '  - name: "odd.name-2"',
        '    endpoints: [{ url: "http://10.1.0.1:2379", instance: "etcd-a.example:2379" }]',
        '    prometheus: { instanceLabel: pod }',
      ].join('\n'),
      'rules.yaml',
      {},
    );
    const rules = alertRules(cfg.clusters);
    expect(rules.groups.map((g) => g.name)).toEqual(['fulcrum-etcd-prod', 'fulcrum-etcd-odd.name-2', 'fulcrum']);
    expect(rules.groups[0].rules.find((r) => r.alert === 'EtcdHighLatency')?.expr).toContain('> 0.25');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fulcrum-rules-'));
    try {
      const file = path.join(dir, 'rules.yml');
      writeFileSync(file, stringify(rules, { lineWidth: 0 }));
      const out = execFileSync('/usr/bin/promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect(out).toMatch(/SUCCESS: \d+ rules found/);
      // promtool really checks: a broken expression fails
      writeFileSync(file, stringify({ groups: [{ name: 'x', rules: [{ alert: 'Bad', expr: 'sum(' }] }] }));
      expect(() => execFileSync('/usr/bin/promtool', ['check', 'rules', file], { stdio: 'pipe' })).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
