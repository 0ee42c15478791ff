import type { Metadata } from 'next';
import { InlineScript } from '@/components/InlineScript';
import { WallScreen } from '@/components/wall/WallScreen';
import { parseWallParams } from '@/lib/client/fleet/params';

// The wall reads everything from the fleet stream in the browser; the URL configures it.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Fulcrum wall' };

// Before first paint: the wall's own theme (?theme=, dark by default), not the viewer's stored choice.
const WALL_THEME_SCRIPT = `(function(){try{var t=new URLSearchParams(location.search).get("theme")==="light"?"light":"dark";var d=document.documentElement;d.classList.toggle("dark",t==="dark");d.style.colorScheme=t;d.style.overflow="hidden"}catch(e){}})()`;

export default async function WallPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = parseWallParams(await searchParams);
  return (
    <>
      <InlineScript code={WALL_THEME_SCRIPT} />
      <WallScreen params={params} />
    </>
  );
}
