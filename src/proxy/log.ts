/** What the proxy has seen: exchanges with violations or warnings (the latest, bounded), counts, timings and coverage per operation. */
import type { CoverageModel, CoverageSummary } from '../coverage/model.js';
import type { ObservedExchange } from './exchange.js';

export interface OperationTimings {
  operation: string;
  exchanges: number;
  violations: number;
  totalMs: number;
  maxMs: number;
}

export interface ProxyReport {
  upstream: string;
  startedAt: string;
  exchanges: number;
  violations: number;
  warnings: number;
  /** Exchanges the mock answered because the upstream lacks the operation (--fallback mock). */
  answeredByMock: number;
  /** Exchanges that carry violations or warnings, oldest first; only the latest `capacity` are kept. */
  findings: ObservedExchange[];
  /** How many older findings were dropped to stay within the capacity. */
  dropped: number;
  operations: OperationTimings[];
  /** What the traffic exercised of what the specs document. */
  coverage: CoverageSummary;
}

export class ExchangeLog {
  private readonly findings: ObservedExchange[] = [];
  private readonly timings = new Map<string, OperationTimings>();
  private exchangeCount = 0;
  private violationCount = 0;
  private warningCount = 0;
  private mockAnswers = 0;
  private droppedCount = 0;
  private readonly startedAt = new Date().toISOString();

  constructor(
    private readonly upstream: string,
    readonly coverage: CoverageModel,
    private readonly capacity = 1000,
  ) {}

  get violations(): number {
    return this.violationCount;
  }

  nextId(): number {
    return ++this.exchangeCount;
  }

  add(exchange: ObservedExchange): void {
    this.violationCount += exchange.violations.length;
    this.warningCount += exchange.warnings.length;
    if (exchange.answeredBy === 'mock') this.mockAnswers++;
    const key = exchange.operation ?? `${exchange.request.method} (undocumented)`;
    let timing = this.timings.get(key);
    if (!timing)
      this.timings.set(key, (timing = { operation: key, exchanges: 0, violations: 0, totalMs: 0, maxMs: 0 }));
    timing.exchanges++;
    timing.violations += exchange.violations.length;
    timing.totalMs += exchange.durationMs;
    timing.maxMs = Math.max(timing.maxMs, exchange.durationMs);
    if (exchange.violations.length === 0 && exchange.warnings.length === 0) return;
    this.findings.push(exchange);
    if (this.findings.length > this.capacity) {
      this.findings.shift();
      this.droppedCount++;
    }
  }

  report(): ProxyReport {
    return {
      upstream: this.upstream,
      startedAt: this.startedAt,
      exchanges: this.exchangeCount,
      violations: this.violationCount,
      warnings: this.warningCount,
      answeredByMock: this.mockAnswers,
      findings: [...this.findings],
      dropped: this.droppedCount,
      operations: [...this.timings.values()],
      coverage: this.coverage.summary(),
    };
  }
}
