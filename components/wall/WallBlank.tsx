// The wall before it knows the viewport (its server render and first frame): a blank dark screen.
export function WallBlank() {
  return <div className="fixed inset-0 z-50 bg-slate-950" data-testid="wall" data-freshness="connecting" />;
}
