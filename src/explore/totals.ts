// What an exploration adds up over its counted runs, one run at a time and in
// index order: the count, the virtual time, the decision paths, the digest
// and the failures. Nothing per run is kept but the failures, so memory stays
// flat however many runs there are; one exploration and the merge of its
// shards add up the same runs the same way.
import { PathTotals } from './coverage.ts';
import type { PathTally } from './coverage.ts';
import { isFailure } from './run.ts';
import type { RunSummary } from './run.ts';
import { RunDigest } from './seed.ts';

/** A failing run, without its path counts. */
export type FailureSummary = Omit<RunSummary, 'paths'>;

export class RunTotals {
  runs = 0;
  simulatedMs = 0;
  /** Differential explorations: failures the correct configuration shares (not counted as failures). */
  masked = 0;
  readonly failures: FailureSummary[] = [];
  private readonly digest = new RunDigest();
  private readonly paths = new PathTotals();

  add(s: RunSummary): void {
    this.runs++;
    this.simulatedMs += s.simulatedMs;
    if (s.masked === true) this.masked++;
    if (isFailure(s)) {
      const { paths: _paths, ...failure } = s;
      this.failures.push(failure);
    }
    this.digest.add(s.traceHash);
    this.paths.add(s.paths);
  }

  /** The totals as an exploration's result reports them. */
  summary(): { runs: number; failures: FailureSummary[]; masked: number; digest: string; simulatedMs: number; paths: PathTally[] } {
    const { runs, failures, masked, simulatedMs } = this;
    return { runs, failures, masked, digest: this.digest.value(), simulatedMs, paths: this.paths.tally() };
  }
}
