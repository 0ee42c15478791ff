'use client';
// Demo mode only (the page renders this only with FULCRUM_DEMO=1 and a control URL): inject a
// fault into the local stack and undo it, through /api/demo/faults. Shows the active faults.
import { useCallback, useEffect, useState } from 'react';
import type { DemoFaultRun } from '@/lib/api/types';
import { api } from '@/lib/client/api';
import { DEMO_FAULT_HELP, DEMO_FAULTS, DEMO_FAULTS_WITH_MEMBER, type DemoFault } from '@/lib/demo/names';
import { CARD, MUTED } from './styles';

type Msg = { tone: 'ok' | 'error' | 'busy'; text: string } | null;

const POLL_MS = 5_000;
const BTN = 'rounded-md px-3 py-1.5 text-sm font-semibold disabled:cursor-not-allowed disabled:opacity-50';

/** Injecting quota or pin-load can take tens of seconds; undoing quota compacts and defragments. */
const CHANGE_TIMEOUT_MS = 120_000;

export function DemoFaultPanel({ members }: { members: readonly string[] }) {
  const [fault, setFault] = useState<DemoFault>('freeze');
  const [member, setMember] = useState('');
  const [active, setActive] = useState<DemoFaultRun[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState<Msg>(null);
  const takesMember = DEMO_FAULTS_WITH_MEMBER.has(fault);

  const refresh = useCallback(async () => {
    const r = await api.demoFaults();
    if (r.ok) {
      setActive(Array.isArray(r.data.active) ? r.data.active : []);
      return;
    }
    setActive(null);
    setMsg({ tone: 'error', text: `fault list: ${r.error.message}` });
  }, []);

  useEffect(() => {
    void refresh();
    const id = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(id);
  }, [refresh]);

  const change = async (method: 'POST' | 'DELETE', name: string, m?: string) => {
    setBusy(true);
    setMsg({
      tone: 'busy',
      text: method === 'POST' ? `injecting ${name}… (some faults take a while)` : `undoing ${name}…`,
    });
    const o = { timeoutMs: CHANGE_TIMEOUT_MS };
    const r = method === 'POST' ? await api.injectFault(name, m || null, o) : await api.undoFault(name, o);
    if (r.ok) {
      const run = r.data;
      setMsg({
        tone: 'ok',
        text: method === 'POST' ? `${name} injected${run.member ? ` on ${run.member}` : ''}` : `${name} undone`,
      });
    } else {
      setMsg({ tone: 'error', text: r.error.message });
    }
    setBusy(false);
    void refresh();
  };

  return (
    <details className={`${CARD} group px-4 py-2`} data-testid="demo-fault-panel" open>
      <summary className="cursor-pointer text-sm font-bold">
        Inject fault (demo){' '}
        <span className={`font-normal ${MUTED}`}>
          · local stack only · <span data-testid="demo-active-count">{active === null ? '?' : active.length}</span>{' '}
          active
        </span>
      </summary>
      <div className="mt-2 flex flex-wrap items-end gap-3 pb-1">
        <label className="flex flex-col gap-1 text-xs font-semibold">
          Fault
          <select
            data-testid="demo-fault-select"
            value={fault}
            onChange={(e) => setFault(e.target.value as DemoFault)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-semibold dark:border-slate-700 dark:bg-slate-900"
          >
            {DEMO_FAULTS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs font-semibold">
          Member
          <select
            data-testid="demo-member-select"
            value={takesMember ? member : ''}
            disabled={!takesMember}
            onChange={(e) => setMember(e.target.value)}
            className="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm font-semibold disabled:opacity-50 dark:border-slate-700 dark:bg-slate-900"
          >
            <option value="">{takesMember ? 'default' : 'n/a'}</option>
            {members.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          data-testid="demo-inject"
          disabled={busy || (active?.some((a) => a.name === fault) ?? false)}
          title={
            active?.some((a) => a.name === fault)
              ? `${fault} is active: undo it first`
              : `inject ${fault} into the local stack`
          }
          onClick={() => void change('POST', fault, takesMember && member ? member : undefined)}
          className={`${BTN} bg-red-700 text-white hover:bg-red-800 dark:bg-red-600 dark:hover:bg-red-500`}
        >
          Inject
        </button>
        <p className={`min-w-0 flex-1 basis-64 text-xs ${MUTED}`}>{DEMO_FAULT_HELP[fault]}</p>
      </div>
      {msg && (
        <p
          data-testid="demo-message"
          data-tone={msg.tone}
          role={msg.tone === 'error' ? 'alert' : 'status'}
          className={`text-sm ${msg.tone === 'error' ? 'font-semibold text-red-700 dark:text-red-400' : msg.tone === 'ok' ? 'text-emerald-700 dark:text-emerald-400' : MUTED}`}
        >
          {msg.tone === 'error' ? '✕ ' : msg.tone === 'ok' ? '✓ ' : '… '}
          {msg.text}
        </p>
      )}
      {active && active.length > 0 && (
        <ul
          className="mt-2 space-y-1 border-t border-slate-200 pt-2 text-sm dark:border-slate-700"
          data-testid="demo-active-faults"
        >
          {active.map((a) => (
            <li
              key={a.name}
              className="flex flex-wrap items-center gap-2"
              data-testid="demo-active-fault"
              data-name={a.name}
              data-member={a.member ?? ''}
            >
              <span className="font-semibold text-red-700 dark:text-red-400">⚡ {a.name}</span>
              {a.member && <span>on {a.member}</span>}
              <span className={`text-xs ${MUTED}`}>since {new Date(a.injectedAt).toLocaleTimeString()}</span>
              <button
                type="button"
                data-testid="demo-undo"
                disabled={busy}
                onClick={() => void change('DELETE', a.name)}
                className={`${BTN} border border-slate-300 bg-white py-0.5 text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700`}
              >
                Undo
              </button>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
