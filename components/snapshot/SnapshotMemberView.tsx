'use client';
// One member inside a snapshot: the same MemberView the live member page renders, fed the
// frozen frames, findings, events and log excerpts, with no handlers (nothing to fetch, the
// window can't move). The log filters work on the frozen lines.
import { useCallback, useMemo } from 'react';
import type { Finding } from '@/lib/types';
import { useHydrated } from '@/lib/client/hooks';
import { excerptPanelData } from '@/lib/snapshots/view';
import type { SnapshotRecord } from '@/lib/store/types';
import { MemberView } from '../member/MemberView';
import { SnapshotBanner } from './SnapshotBanner';

export function SnapshotMemberView({
  record,
  endpoint,
  liveExists,
}: {
  record: SnapshotRecord;
  endpoint: string;
  liveExists: boolean;
}) {
  const hydrated = useHydrated();
  const s = record.state;
  const m = s.members.find((x) => x.endpoint === endpoint)!;
  const data = useMemo(() => excerptPanelData(record.logs, endpoint), [record.logs, endpoint]);
  const base = `/s/${record.id}`;
  // Findings that cleared within the window were active in it: show them, marked resolved.
  const resolved = useMemo(
    () => new Map((s.resolvedFindings ?? []).map((f) => [f.id, f.until ?? record.window.to])),
    [s.resolvedFindings, record.window.to],
  );
  const findingHref = useCallback(
    (f: Finding) => {
      const ref = f.members[0];
      const name = ref ? (s.members.find((x) => x.endpoint === ref || x.name === ref)?.name ?? null) : null;
      return name ? `${base}/members/${encodeURIComponent(name)}` : null;
    },
    [s.members, base],
  );
  return (
    <div className="space-y-4 2xl:space-y-5" data-testid="snapshot-member-view" data-member={m.name}>
      <SnapshotBanner
        record={record}
        shareUrl={hydrated ? `${window.location.origin}${base}/members/${encodeURIComponent(m.name)}` : null}
        liveExists={liveExists}
      />
      <MemberView
        cluster={{ name: s.name, members: s.members, pollIntervalMs: s.pollIntervalMs, events: s.events }}
        member={endpoint}
        frames={s.frames}
        from={record.window.from}
        to={record.window.to}
        findings={[...(s.resolvedFindings ?? []).filter((f) => !s.findings.some((x) => x.id === f.id)), ...s.findings]}
        resolved={resolved}
        findingHref={findingHref}
        logs={{ data, from: record.window.from, to: record.window.to, query: { q: '', level: '', source: 'both' } }}
        framesInfo={
          s.frames.length === 0
            ? { loading: false, source: null, error: 'no metrics were recorded in this window' }
            : null
        }
        backHref={base}
      />
    </div>
  );
}
