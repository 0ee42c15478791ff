'use client';
// One cluster, rendered from a state object. The live page feeds it the streamed state; a
// snapshot page can feed it a frozen one: it never knows which.
import { useMemo } from 'react';
import { DIMENSIONS } from '@/lib/dimensions';
import { checkedList } from '@/lib/client/describe';
import { mergeFrames } from '@/lib/client/frames';
import { RANGE_MS, type ViewParams } from '@/lib/client/viewParams';
import type { ClusterEvent, ClusterState, Frame, Finding } from '@/lib/types';
import { ClusterHeader } from './ClusterHeader';
import type { LiveInfo } from './ConnectionIndicator';
import { EventList } from './EventList';
import { FindingsPanel } from './FindingsPanel';
import { Heatmap } from './Heatmap';
import { MemberTable } from './MemberTable';
import type { HistoryStatus } from './SourcesLine';
import { Timeline } from './lazy';
import { ViewControls } from './ViewControls';
import { WeightsSection } from './weights/WeightsSection';
import { CARD, MUTED } from './styles';
import { Section } from './Section';

export interface ClusterViewProps {
  state: ClusterState;
  view: ViewParams;
  onViewChange: (next: ViewParams) => void;
  /** The stream's health; null for a frozen snapshot. */
  live?: LiveInfo | null;
  /** Right edge of the time window (server clock, ms). Default: state.updatedAt. */
  end?: number | null;
  /** Frames older than state.frames (from /history), merged before them. */
  olderFrames?: readonly Frame[];
  history?: HistoryStatus | null;
  selected?: { endpoint: string; t: number } | null;
  onCellClick?: (memberEndpoint: string, t: number) => void;
  /** A click on an event marker of the timeline. */
  onEventClick?: (e: ClusterEvent) => void;
  /** Where a finding's drill-down link goes; default: the live member page (a snapshot keeps it inside). */
  findingHref?: (f: Finding) => string | null;
}

export function ClusterView({
  state,
  view,
  onViewChange,
  live = null,
  end,
  olderFrames,
  history,
  selected,
  onCellClick,
  onEventClick,
  findingHref,
}: ClusterViewProps) {
  const spec = DIMENSIONS[view.dim];
  const to = end ?? state.updatedAt ?? 0;
  const from = to - RANGE_MS[view.range];
  const frames = useMemo(
    () => (olderFrames?.length ? mergeFrames(olderFrames, state.frames) : state.frames),
    [olderFrames, state.frames],
  );
  const checked = useMemo(() => checkedList(state), [state]);
  const ageMs =
    state.updatedAt !== null && end !== null && end !== undefined ? Math.max(0, end - state.updatedAt) : null;
  const weighted = state.scores[view.dim].basis === 'weights' && new Set(state.members.map((m) => m.weight)).size > 1;

  return (
    <main
      className="space-y-4 2xl:space-y-5"
      data-testid="cluster-view"
      data-cluster={state.name}
      data-seq={state.seq}
      data-updated-at={state.updatedAt ?? ''}
    >
      <ClusterHeader state={state} dim={view.dim} live={live} ageMs={ageMs} history={history} />
      <div className={`${CARD} px-4 py-3`}>
        <ViewControls view={view} onChange={onViewChange} />
      </div>
      <Section
        testId="heatmap-section"
        title={
          <>
            {spec.label} per member{' '}
            <span className={`text-base font-normal ${MUTED}`}>
              {view.mode === 'relative'
                ? spec.kind === 'latency'
                  ? "relative to the peers' median"
                  : 'relative to expected share'
                : `absolute, ${spec.unit}`}
            </span>
          </>
        }
        right={spec.help}
      >
        <Heatmap
          frames={frames}
          members={state.members}
          dim={view.dim}
          mode={view.mode}
          from={from}
          to={to}
          pollIntervalMs={state.pollIntervalMs}
          selected={selected}
          onCellClick={onCellClick}
          findings={state.findings}
        />
      </Section>
      <Section
        testId="timeline-section"
        title={
          <>
            Imbalance score over time{' '}
            <span className={`text-base font-normal ${MUTED}`}>{spec.label.toLowerCase()}, 0–1</span>
          </>
        }
        right="per poll; the headline averages the last few polls"
      >
        <Timeline
          onEventClick={onEventClick}
          frames={frames}
          events={state.events}
          dim={view.dim}
          from={from}
          to={to}
          pollIntervalMs={state.pollIntervalMs}
          showEqual={weighted}
          findings={state.findings}
        />
      </Section>
      <Section
        title="Members"
        right={`like etcdctl endpoint status, plus ${spec.label.toLowerCase()} ${spec.scored ? 'share' : "vs the peers' median"}`}
        testId="members-section"
      >
        <MemberTable
          members={state.members}
          dim={view.dim}
          highlighted={selected?.endpoint ?? null}
          now={end ?? null}
          balancer={state.balancer}
        />
      </Section>
      <Section
        title={
          <>
            Weights: what if{' '}
            <span className={`text-base font-normal ${MUTED}`}>configured, at the balancer, proposed, predicted</span>
          </>
        }
        right="request shares if the balancer had these weights"
        testId="weights-section"
      >
        <WeightsSection state={state} cluster={live ? state.name : null} now={end ?? null} />
      </Section>
      <div className="grid gap-4 xl:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Section title={`Findings (${state.findings.length})`} testId="findings-section">
          <FindingsPanel
            findings={state.findings}
            members={state.members}
            checks={state.checks ?? []}
            checked={checked}
            healthy={state.status === 'ok'}
            drillDownHref={findingHref}
            resolved={state.resolvedFindings ?? []}
          />
        </Section>
        <Section title="Events" right="newest first" testId="events-section">
          <EventList events={state.events} />
        </Section>
      </div>
    </main>
  );
}
