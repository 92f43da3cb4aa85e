/**
 * Run dependencies (teacher → student, sparse → prune → fine-tune), for every dialect: a run whose
 * `weights` or strategy `teacher` is another run's id is not claimed before that run is done, and
 * fails, naming it, when that run fails or is deleted.
 */
import { expect, it } from 'vitest';
import { queuedRunsWaitingFor, type FinalResult, type Run, type RunStore } from '../src/index.ts';

const base = { model: 'mobile-yolo5s_voc', data: 'demo', epochs: 1, img: 64 };
const lease = { leaseMs: 60_000 };
const result: FinalResult = { precision: 0.4, recall: 0.7, map50: 0.5, map5095: 0.3, params: 1000, gmacs: 1, img: 64 };

const studentOf = (teacher: string) => ({ ...base, strategies: [{ kind: 'distill-output', teacher }] });

/** `openPair` opens two stores (two workers' connections) on one fresh database. */
export function dependencyContract(openPair: () => Promise<[RunStore, RunStore]>): void {
  it('derives dependencies from weights and strategy teachers that are run ids', async () => {
    const [store, other] = await openPair();
    const teacher = await store.createRun({ name: 'teacher', config: base });
    const sparse = await store.createRun({ name: 'sparse', config: base });
    const both = await store.createRun({
      name: 'both',
      config: { ...studentOf(teacher.id), weights: sparse.id, strategies: [{ kind: 'distill-output', teacher: teacher.id }, { kind: 'distill-feature', teacher: teacher.id }] },
    });
    const files = await store.createRun({ name: 'files', config: { ...base, weights: '/ckpt/best.safetensors', strategies: [{ kind: 'distill-output', teacher: 'pretrained:yolov5s' }] } });
    expect((await store.dependencies(both.id)).map((d) => d.runId)).toEqual([teacher.id, sparse.id].sort());
    expect((await store.dependencies(both.id)).map((d) => d.status)).toEqual(['queued', 'queued']);
    expect(await store.dependencies(files.id)).toEqual([]);
    expect(await store.dependencies(teacher.id)).toEqual([]);
    await store.close();
    await other.close();
  });

  it('two workers: the student never starts before its teacher is done, and other runs keep their order', async () => {
    const [a, b] = await openPair();
    const teacher = await a.createRun({ name: 'teacher', config: base });
    const student = await a.createRun({ name: 'student', config: studentOf(teacher.id) });
    const later = await a.createRun({ name: 'later', config: base });
    const events: string[] = [];
    const runIt = async (store: RunStore, worker: string, run: Run) => {
      events.push(`start ${run.name}`);
      if (run.name === 'student') expect((await store.getRun(teacher.id))?.status).toBe('done');
      await new Promise((r) => setTimeout(r, 30));
      events.push(`end ${run.name}`);
      await store.finishRun(run.id, worker, result);
    };
    const work = async (store: RunStore, worker: string) => {
      for (let idle = 0; idle < 400; idle++) {
        const run = await store.claimNextRun(worker, lease);
        if (run) await runIt(store, worker, run);
        else if ((await store.getRun(student.id))?.status === 'done') return;
        else await new Promise((r) => setTimeout(r, 5));
      }
    };
    await Promise.all([work(a, 'w1'), work(b, 'w2')]);
    expect(events.indexOf('start student')).toBeGreaterThan(events.indexOf('end teacher'));
    // The run queued after the student did not wait behind it.
    expect(events.indexOf('start later')).toBeLessThan(events.indexOf('start student'));
    for (const run of [teacher, student, later]) expect((await a.getRun(run.id))?.status).toBe('done');
    expect((await a.getRun(student.id))?.attempts).toBe(1);
    await a.close();
    await b.close();
  });

  it('a waiting run is skipped, not lost, and says what it waits for', async () => {
    const [store, other] = await openPair();
    const teacher = await store.createRun({ name: 'teacher', config: base });
    const student = await store.createRun({ name: 'student', config: studentOf(teacher.id) });
    expect((await store.claimNextRun('w1', lease))?.id).toBe(teacher.id);
    expect(await other.claimNextRun('w2', lease)).toBeNull();
    expect(await other.claimNextRun('w2', lease)).toBeNull();
    expect((await store.getRun(student.id))?.status).toBe('queued');
    expect(await store.dependencies(student.id)).toEqual([{ runId: teacher.id, name: 'teacher', status: 'running', error: null }]);
    const idle = await store.createRun({ name: 'idle', config: base });
    const waiting = async () => queuedRunsWaitingFor(store, (await store.listRuns({})).rows);
    // Queued runs only: the student waits for its running teacher, the idle run for a worker.
    expect(await waiting()).toEqual(new Map([[idle.id, []], [student.id, [{ runId: teacher.id, name: 'teacher', status: 'running', error: null }]]]));
    await store.finishRun(teacher.id, 'w1', result);
    expect((await waiting()).get(student.id)).toEqual([]);
    await store.deleteRun(idle.id);
    expect((await other.claimNextRun('w2', lease))?.id).toBe(student.id);
    expect(await store.claimNextRun('w1', lease)).toBeNull();
    await store.close();
    await other.close();
  });

  it('a failed teacher fails its student, and the student’s own dependents, naming it', async () => {
    const [store, other] = await openPair();
    const teacher = await store.createRun({ name: 'teacher', config: base });
    const assistant = await store.createRun({ name: 'assistant', config: studentOf(teacher.id) });
    const student = await store.createRun({ name: 'student', config: studentOf(assistant.id) });
    const unrelated = await store.createRun({ name: 'unrelated', config: base });
    expect((await store.claimNextRun('w1', lease))?.id).toBe(teacher.id);
    await store.failRun(teacher.id, 'w1', 'out of memory');
    const failedAssistant = await other.getRun(assistant.id);
    expect(failedAssistant?.status).toBe('failed');
    expect(failedAssistant?.error).toBe(`dependency run ${teacher.id} (teacher) failed: out of memory`);
    expect((await other.getRun(student.id))?.status).toBe('failed');
    expect((await other.getRun(student.id))?.error).toContain(`dependency run ${assistant.id} (assistant) failed`);
    // Neither is handed to a worker afterwards; the unrelated run is.
    expect((await other.claimNextRun('w2', lease))?.id).toBe(unrelated.id);
    expect(await other.claimNextRun('w2', lease)).toBeNull();
    // A run created against the failed teacher fails when a worker comes to it, instead of waiting forever.
    const late = await store.createRun({ name: 'late', config: studentOf(teacher.id) });
    expect(await other.claimNextRun('w2', lease)).toBeNull();
    expect((await store.getRun(late.id))?.error).toMatch(new RegExp(`dependency run ${teacher.id} \\(teacher\\) failed`));
    await store.close();
    await other.close();
  });

  it('deleting a dependency fails its waiting dependents', async () => {
    const [store, other] = await openPair();
    const teacher = await store.createRun({ name: 'teacher', config: base });
    const student = await store.createRun({ name: 'student', config: studentOf(teacher.id) });
    expect(await store.deleteRun(teacher.id)).toBe(true);
    expect((await other.getRun(student.id))?.status).toBe('failed');
    expect((await other.getRun(student.id))?.error).toBe(`dependency run ${teacher.id} was deleted`);
    expect(await store.dependencies(student.id)).toEqual([{ runId: teacher.id, name: null, status: null, error: null }]);
    expect(await other.claimNextRun('w', lease)).toBeNull();
    await store.close();
    await other.close();
  });
}
