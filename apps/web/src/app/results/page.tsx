import { ResultsTables } from '~/components/results-tables.tsx';

export const dynamic = 'force-dynamic';

export default function ResultsPage() {
  return (
    <>
      <h1>Results tables</h1>
      <ResultsTables />
    </>
  );
}
