import { TryIt } from '~/components/try/try-it.tsx';

export const dynamic = 'force-dynamic';

export default function TryPage() {
  return (
    <>
      <h1>Try it</h1>
      <TryIt />
    </>
  );
}
