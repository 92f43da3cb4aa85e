import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { TRPCReactProvider } from '~/trpc/react.tsx';
import './globals.css';

export const metadata: Metadata = { title: 'Distillery', description: 'Train, prune and distil YOLO detectors' };

const NAV = [
  ['/runs', 'Runs'],
  ['/launch', 'Launch'],
  ['/results', 'Results tables'],
  ['/compare', 'Compare'],
  ['/try', 'Try it'],
] as const;

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/runs" className="brand">
            Distillery
          </Link>
          <nav style={{ display: 'flex', gap: '1rem' }}>
            {NAV.map(([href, label]) => (
              <Link key={href} href={href}>
                {label}
              </Link>
            ))}
          </nav>
        </header>
        <main>
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </main>
      </body>
    </html>
  );
}
