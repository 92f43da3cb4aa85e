import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="panel">
      <h1>Not found</h1>
      <p>There is nothing here. <Link href="/runs">Back to the runs</Link>.</p>
    </div>
  );
}
