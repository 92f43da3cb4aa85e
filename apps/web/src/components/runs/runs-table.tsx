'use client';
/**
 * The runs table: TanStack Table in manual mode (the server sorts, filters and pages), with the
 * table state kept in the URL so a view can be shared and survives a reload.
 */
import { RUN_STATUS_LIST as RUN_STATUSES } from '~/shared/run-statuses.ts';
import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type SortingState } from '@tanstack/react-table';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { duration, fixed, millions } from '~/components/format/numbers.ts';
import { StatusBadge } from '~/components/runs/status-badge.tsx';
import { WaitingFor } from '~/components/run/waiting-for.tsx';
import { api, type RouterInputs, type RouterOutputs } from '~/trpc/react.tsx';

type Row = RouterOutputs['runs']['list']['rows'][number];
type SortField = NonNullable<RouterInputs['runs']['list']['sort']>['field'];
type Status = (typeof RUN_STATUSES)[number];

const PAGE_SIZES = [25, 50, 100, 200];

/** Config columns the database indexes, filterable by exact value (URL parameter = facet name). */
const FACET_FILTERS = [
  { key: 'model', label: 'model' },
  { key: 'strategy', label: 'strategy' },
  { key: 'data', label: 'data' },
] as const;
type FacetKey = (typeof FACET_FILTERS)[number]['key'];

function num(v: string | null, fallback: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function RunsTable({ selectable = false, onSelectionChange }: { selectable?: boolean; onSelectionChange?: (ids: string[]) => void }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const page = num(params.get('page'), 1);
  const pageSize = PAGE_SIZES.includes(num(params.get('size'), 25)) ? num(params.get('size'), 25) : 25;
  const sortField = (params.get('sort') ?? 'createdAt') as SortField;
  const sortDir = params.get('dir') === 'asc' ? 'asc' : 'desc';
  const status = (params.get('status') ?? '').split(',').filter((s): s is Status => (RUN_STATUSES as readonly string[]).includes(s));
  const search = params.get('q') ?? '';
  const studyId = params.get('study') ?? undefined;
  const preset = params.get('preset') ?? undefined;
  const facetFilter = Object.fromEntries(FACET_FILTERS.map(({ key }) => [key, params.get(key) ?? undefined])) as Record<FacetKey, string | undefined>;
  const [searchDraft, setSearchDraft] = useState(search);
  const [selected, setSelected] = useState<string[]>([]);

  const setParams = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params.toString());
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    router.replace(`${pathname}?${next.toString()}`, { scroll: false });
  };

  // Debounced search box → URL.
  useEffect(() => {
    if (searchDraft === search) return;
    const t = setTimeout(() => setParams({ q: searchDraft, page: null }), 300);
    return () => clearTimeout(t);
  }, [searchDraft]);

  const query = api.runs.list.useQuery(
    {
      page,
      pageSize,
      sort: { field: sortField, dir: sortDir },
      filter: { status: status.length ? status : undefined, search: search || undefined, studyId, preset, ...facetFilter },
    },
    { placeholderData: (prev) => prev, refetchInterval: 5000 },
  );
  const facets = api.runs.facets.useQuery(undefined, { refetchInterval: 30_000 });

  const toggle = (id: string) => {
    setSelected((old) => {
      const next = old.includes(id) ? old.filter((x) => x !== id) : [...old, id].slice(-10);
      onSelectionChange?.(next);
      return next;
    });
  };

  const columns = useMemo<ColumnDef<Row>[]>(() => {
    const cols: ColumnDef<Row>[] = [
      { id: 'name', header: 'Run', enableSorting: true, cell: ({ row }) => <Link href={`/runs/${encodeURIComponent(row.original.id)}`}>{row.original.name}</Link> },
      {
        id: 'status',
        header: 'Status',
        enableSorting: true,
        cell: ({ row }) => (
          <>
            <StatusBadge status={row.original.status} />
            {row.original.waitingFor ? (
              <div>
                <WaitingFor pending={row.original.waitingFor} compact />
              </div>
            ) : null}
          </>
        ),
      },
      { id: 'preset', header: 'Preset', enableSorting: true, cell: ({ row }) => row.original.preset ?? '–' },
      { id: 'model', header: 'Model', enableSorting: true, cell: ({ row }) => row.original.model ?? '?' },
      { id: 'strategy', header: 'Strategy', enableSorting: true, cell: ({ row }) => row.original.strategy },
      { id: 'data', header: 'Data', enableSorting: true, cell: ({ row }) => row.original.data ?? '?' },
      { id: 'img', header: 'Img', enableSorting: true, meta: { num: true }, cell: ({ row }) => row.original.img ?? '?' },
      {
        id: 'lastEpoch',
        header: 'Epochs',
        enableSorting: true,
        meta: { num: true },
        cell: ({ row }) => `${row.original.lastEpoch === null ? 0 : row.original.lastEpoch + 1}/${row.original.epochsPlanned}`,
      },
      { id: 'map50', header: 'mAP@.5', enableSorting: true, meta: { num: true }, cell: ({ row }) => fixed(row.original.result?.map50) },
      { id: 'map5095', header: 'mAP@.5:.95', enableSorting: true, meta: { num: true }, cell: ({ row }) => fixed(row.original.result?.map5095) },
      { id: 'params', header: 'Params (M)', enableSorting: true, meta: { num: true }, cell: ({ row }) => millions(row.original.result?.params) },
      { id: 'gmacs', header: 'FLOPs (G)', enableSorting: true, meta: { num: true }, cell: ({ row }) => fixed(row.original.result?.gmacs, 2) },
      { id: 'duration', header: 'Duration', enableSorting: false, meta: { num: true }, cell: ({ row }) => duration(row.original.durationSeconds) },
      { id: 'host', header: 'Host', enableSorting: false, cell: ({ row }) => row.original.host ?? '–' },
      { id: 'createdAt', header: 'Created', enableSorting: true, cell: ({ row }) => new Date(row.original.createdAt).toLocaleString() },
    ];
    if (selectable) {
      cols.unshift({
        id: 'select',
        header: '',
        enableSorting: false,
        cell: ({ row }) => (
          <input type="checkbox" aria-label={`select ${row.original.name}`} checked={selected.includes(row.original.id)} onChange={() => toggle(row.original.id)} />
        ),
      });
    }
    return cols;
  }, [selectable, selected]);

  const sorting: SortingState = [{ id: sortField, desc: sortDir === 'desc' }];
  const data = query.data;
  const table = useReactTable({
    data: data?.rows ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    manualPagination: true,
    manualSorting: true,
    manualFiltering: true,
    rowCount: data?.total ?? 0,
    state: { sorting, pagination: { pageIndex: page - 1, pageSize } },
    getRowId: (row) => row.id,
  });
  const pageCount = Math.max(1, Math.ceil((data?.total ?? 0) / pageSize));

  const clickSort = (id: string, sortable: boolean) => {
    if (!sortable) return;
    const dir = id === sortField ? (sortDir === 'desc' ? 'asc' : 'desc') : 'desc';
    setParams({ sort: id, dir, page: null });
  };
  const toggleStatus = (s: Status) => {
    const next = status.includes(s) ? status.filter((x) => x !== s) : [...status, s];
    setParams({ status: next.join(','), page: null });
  };

  return (
    <div>
      <div className="toolbar">
        <input type="search" placeholder="Search name, preset or id" aria-label="search runs" value={searchDraft} onChange={(e) => setSearchDraft(e.target.value)} style={{ minWidth: 240 }} />
        {RUN_STATUSES.map((s) => (
          <label key={s} style={{ display: 'flex', gap: 4, alignItems: 'center' }}>
            <input type="checkbox" checked={status.includes(s)} onChange={() => toggleStatus(s)} /> {s}
          </label>
        ))}
        {FACET_FILTERS.map(({ key, label }) => {
          const choices = facets.data?.[key] ?? [];
          const current = facetFilter[key];
          return (
            <select key={key} aria-label={`filter by ${label}`} value={current ?? ''} onChange={(e) => setParams({ [key]: e.target.value || null, page: null })}>
              <option value="">any {label}</option>
              {current !== undefined && !choices.some((c) => c.value === current) ? <option value={current}>{current}</option> : null}
              {choices.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.value} ({c.count})
                </option>
              ))}
            </select>
          );
        })}
        {studyId ? (
          <span>
            study {studyId} <button type="button" onClick={() => setParams({ study: null })}>×</button>
          </span>
        ) : null}
        {preset ? (
          <span>
            preset {preset} <button type="button" onClick={() => setParams({ preset: null })}>×</button>
          </span>
        ) : null}
        <span className="muted" data-testid="runs-total">
          {data ? `${data.total} run${data.total === 1 ? '' : 's'}` : query.isLoading ? 'loading…' : ''}
        </span>
      </div>
      {query.error ? <p className="error">{query.error.message}</p> : null}
      <div style={{ overflowX: 'auto' }}>
        <table className="grid" data-testid="runs-table">
          <thead>
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const sortable = h.column.columnDef.enableSorting !== false;
                  const isNum = (h.column.columnDef.meta as { num?: boolean } | undefined)?.num;
                  const arrow = h.column.id === sortField ? (sortDir === 'desc' ? ' ▼' : ' ▲') : '';
                  return (
                    <th
                      key={h.id}
                      className={`${sortable ? 'sortable' : ''} ${isNum ? 'num' : ''}`}
                      onClick={() => clickSort(h.column.id, sortable)}
                      aria-sort={h.column.id === sortField ? (sortDir === 'desc' ? 'descending' : 'ascending') : undefined}
                    >
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      {arrow}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} data-run-id={row.id}>
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className={(cell.column.columnDef.meta as { num?: boolean } | undefined)?.num ? 'num' : undefined}>
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
            {data && data.rows.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  No runs{search || status.length || Object.values(facetFilter).some(Boolean) ? ' match these filters' : ' yet — launch one'}.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <div className="toolbar" style={{ marginTop: '0.5rem' }}>
        <button type="button" disabled={page <= 1} onClick={() => setParams({ page: String(page - 1) })}>
          ‹ Prev
        </button>
        <span>
          page {page} of {pageCount}
        </span>
        <button type="button" disabled={page >= pageCount} onClick={() => setParams({ page: String(page + 1) })}>
          Next ›
        </button>
        <select aria-label="page size" value={pageSize} onChange={(e) => setParams({ size: e.target.value, page: null })}>
          {PAGE_SIZES.map((s) => (
            <option key={s} value={s}>
              {s} / page
            </option>
          ))}
        </select>
        {selectable && selected.length >= 2 ? (
          <Link href={`/compare?ids=${selected.map(encodeURIComponent).join(',')}`}>Compare {selected.length} runs →</Link>
        ) : null}
      </div>
    </div>
  );
}
