import { describe, expect, it } from 'vitest';
import { hostPortOf } from '../../hostport';

describe('hostPortOf', () => {
  it('reads host:port from a client URL, with the default port of its scheme', () => {
    expect(hostPortOf('http://10.0.0.1:2379')).toBe('10.0.0.1:2379');
    expect(hostPortOf('https://etcd-1.example')).toBe('etcd-1.example:443');
    expect(hostPortOf('http://etcd-1.example/')).toBe('etcd-1.example:80');
  });

  it('keeps a Prometheus member label as it is (it is the address; etcd-1.x: is no scheme)', () => {
    expect(hostPortOf('10.0.0.1:2379')).toBe('10.0.0.1:2379');
    expect(hostPortOf('etcd-1.syn-000:2379')).toBe('etcd-1.syn-000:2379');
    expect(hostPortOf('member-a')).toBe('member-a');
  });
});
