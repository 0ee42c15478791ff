import { describe, expect, it } from 'vitest';
import type { MemberState } from '../types';
import { detectEvents } from './events';

type M = Pick<MemberState, 'endpoint' | 'name' | 'status' | 'isLeader' | 'alarms' | 'raftTerm' | 'error'>;
const m = (name: string, over: Partial<M> = {}): M => ({
  endpoint: `http://${name}:2379`,
  name,
  status: 'up',
  isLeader: false,
  alarms: [],
  raftTerm: '2',
  error: null,
  ...over,
});

describe('detectEvents', () => {
  it('sees a leader change with the new term', () => {
    const ev = detectEvents(
      [m('a', { isLeader: true }), m('b')],
      [m('a'), m('b', { isLeader: true, raftTerm: '3' })],
      5,
    );
    expect(ev).toEqual([{ t: 5, kind: 'leader-change', member: 'http://b:2379', detail: 'leader a → b (term 3)' }]);
  });

  it('sees a member go down and come back, once each', () => {
    const down = detectEvents([m('a'), m('b')], [m('a'), m('b', { status: 'down', error: 'ECONNREFUSED' })], 1);
    expect(down.map((e) => [e.kind, e.member])).toEqual([['member-down', 'http://b:2379']]);
    expect(down[0].detail).toContain('ECONNREFUSED');
    expect(detectEvents([m('a'), m('b', { status: 'down' })], [m('a'), m('b', { status: 'down' })], 2)).toEqual([]);
    const back = detectEvents([m('a'), m('b', { status: 'down' })], [m('a'), m('b', { status: 'unhealthy' })], 3);
    expect(back.map((e) => e.kind)).toEqual(['member-up']);
  });

  it('reports alarms raised and cleared, and a restart', () => {
    const raised = detectEvents([m('a')], [m('a', { alarms: ['NOSPACE'] })], 1, new Set(['http://a:2379']));
    expect(raised.map((e) => e.kind).sort()).toEqual(['alarm-raised', 'member-restart']);
    const cleared = detectEvents([m('a', { alarms: ['NOSPACE'] })], [m('a')], 2);
    expect(cleared.map((e) => e.detail)).toEqual(['NOSPACE alarm cleared on a']);
  });

  it('reports only what is wrong on the first observation', () => {
    expect(detectEvents(null, [m('a', { isLeader: true }), m('b', { status: 'down' })], 0).map((e) => e.kind)).toEqual([
      'member-down',
    ]);
  });
});
