import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import { InlineScript } from '@/components/InlineScript';
import { ThemeToggle } from '@/components/ThemeToggle';
import { THEME_SCRIPT } from '@/lib/client/themeScript';
import './globals.css';

export const metadata: Metadata = {
  title: 'Fulcrum',
  description: 'etcd load balance, live',
  icons: { icon: '/favicon.svg', apple: '/icon-192.png' },
  // A kiosk browser can pin the wall (`display: fullscreen`, start at /wall).
  manifest: '/manifest.webmanifest',
};
export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#f8fafc' },
    { media: '(prefers-color-scheme: dark)', color: '#020617' },
  ],
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Sets the theme class before first paint: no flash of the wrong theme. */}
        <InlineScript code={THEME_SCRIPT} />
      </head>
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <header className="border-b border-slate-200 bg-white/80 dark:border-slate-800 dark:bg-slate-900/80">
          <div className="mx-auto flex max-w-[120rem] items-center justify-between gap-4 px-4 py-2 sm:px-6">
            <Link href="/" className="flex items-center gap-2 text-lg font-bold tracking-tight">
              <span aria-hidden className="text-xl">
                ⚖
              </span>
              Fulcrum
              <span className="hidden text-sm font-normal text-slate-500 sm:inline dark:text-slate-400">
                etcd load balance
              </span>
            </Link>
            <ThemeToggle />
          </div>
        </header>
        <div className="mx-auto max-w-[120rem] px-4 py-4 sm:px-6 2xl:py-6">{children}</div>
      </body>
    </html>
  );
}
