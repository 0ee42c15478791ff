'use client';
// The weights panel, loaded on demand: its code (prediction, exports, agent) stays out of the
// cluster page's first load.
import dynamic from 'next/dynamic';
import { MUTED } from '../styles';

export const WeightsSection = dynamic(() => import('./WeightsPanel'), {
  ssr: false,
  loading: () => <p className={`text-sm ${MUTED}`}>Loading the weights panel…</p>,
});
