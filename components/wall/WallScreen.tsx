'use client';
// /wall's client component. The wall draws nothing but a blank screen until the browser knows
// the viewport, so its code (the layout, the rotation, the history rings, the fleet stream) loads
// after the page has hydrated instead of before: the server renders the same blank screen, which
// stays until the wall's code arrives and takes over.
import { lazyComponent } from '../lazyComponent';
import { WallBlank } from './WallBlank';

export const WallScreen = lazyComponent(() => import('./Wall').then((m) => m.Wall), <WallBlank />);
