'use client';
export function TryIt() {
  return <p className="muted">Coming.</p>;
}
