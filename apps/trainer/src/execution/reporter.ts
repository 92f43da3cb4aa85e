/**
 * Progress output: a cli-progress bar (images/s, ETA) on a terminal, plain log lines otherwise, and
 * nothing at all for `--json` (stdout then carries only the JSON result; logs go to stderr).
 */
import cliProgress from 'cli-progress';
import type { EpochMetrics, StepProgress } from '@distillery/core';

export interface Reporter {
  start(runId: string, name: string, epochs: number): void;
  step(progress: StepProgress): void;
  epoch(metrics: EpochMetrics, epochs: number): void;
  log(line: string): void;
  stop(): void;
}

export function createReporter(mode: { json?: boolean; tty?: boolean } = {}): Reporter {
  const out = mode.json ? process.stderr : process.stdout;
  const tty = mode.tty ?? (!mode.json && process.stdout.isTTY === true);
  return tty ? new BarReporter() : new LineReporter(out);
}

const fmt = (v: number | undefined, digits = 4) => (v === undefined || !Number.isFinite(v) ? '-' : v.toFixed(digits));

function epochLine(m: EpochMetrics, epochs: number): string {
  return (
    `epoch ${m.epoch + 1}/${epochs}: loss ${fmt(m.total)} (box ${fmt(m.lbox)} obj ${fmt(m.lobj)} cls ${fmt(m.lcls)}` +
    `${m.ldistill !== undefined ? ` distill ${fmt(m.ldistill)}` : ''}) lr ${fmt(m.lr, 5)} ` +
    `P ${fmt(m.precision, 3)} R ${fmt(m.recall, 3)} mAP@.5 ${fmt(m.map50, 3)} mAP@.5:.95 ${fmt(m.map5095, 3)} ` +
    `${fmt(m.imagesPerSec, 1)} img/s ${fmt(m.seconds, 1)} s`
  );
}

class LineReporter implements Reporter {
  private lastStepLog = 0;
  constructor(private readonly out: NodeJS.WritableStream) {}
  start(runId: string, name: string, epochs: number): void {
    this.out.write(`run ${runId} (${name}): ${epochs} epochs\n`);
  }
  step(p: StepProgress): void {
    // Plain output is for logs: one line every 10 s at most.
    const now = Date.now();
    if (now - this.lastStepLog < 10_000) return;
    this.lastStepLog = now;
    this.out.write(
      `epoch ${p.epoch + 1}/${p.epochs} step ${p.step + 1}/${p.stepsPerEpoch} loss ${fmt(p.total)} ${fmt(p.imagesPerSec, 1)} img/s\n`,
    );
  }
  epoch(metrics: EpochMetrics, epochs: number): void {
    this.out.write(`${epochLine(metrics, epochs)}\n`);
  }
  log(line: string): void {
    this.out.write(`${line}\n`);
  }
  stop(): void {}
}

class BarReporter implements Reporter {
  private bar: cliProgress.SingleBar | null = null;
  private epochs = 0;
  start(runId: string, name: string, epochs: number): void {
    this.epochs = epochs;
    process.stdout.write(`run ${runId} (${name}): ${epochs} epochs\n`);
  }
  step(p: StepProgress): void {
    const total = p.epochs * p.stepsPerEpoch;
    const value = p.epoch * p.stepsPerEpoch + p.step + 1;
    const payload = { epoch: `${p.epoch + 1}/${p.epochs}`, loss: fmt(p.total), ips: fmt(p.imagesPerSec, 1) };
    if (!this.bar) {
      this.bar = new cliProgress.SingleBar(
        { format: 'epoch {epoch} [{bar}] {percentage}% | loss {loss} | {ips} img/s | ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
        cliProgress.Presets.shades_classic,
      );
      this.bar.start(total, value, payload);
    } else {
      this.bar.setTotal(total);
      this.bar.update(value, payload);
    }
  }
  epoch(metrics: EpochMetrics, epochs: number): void {
    this.log(epochLine(metrics, epochs || this.epochs));
  }
  log(line: string): void {
    // Print above the bar.
    if (this.bar) {
      process.stdout.write('\r\x1b[2K');
      process.stdout.write(`${line}\n`);
      this.bar.render();
    } else process.stdout.write(`${line}\n`);
  }
  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }
}

/** Silent reporter (tests, background workers without output). */
export const silentReporter: Reporter = { start() {}, step() {}, epoch() {}, log() {}, stop() {} };
