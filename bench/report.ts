import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ColdStartResult } from './cold-start';
import type { CostLine } from './cost';
import type { DeployedRunsResult } from './deployed-runs';
import type { E2eResult } from './e2e.bench';
import type { Machine } from './machine';
import type { MixFigures, ProcessorBenchResult } from './processor.bench';
import { formatSpread, type Spread } from './stats';
import type { VerifierHandlerResult } from './verifier-handler.bench';
import type { VerifySizeResult } from './verify.bench';

export interface Goal {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

export interface CostLever {
  readonly change: string;
  readonly totalUsd: number;
  /** What the setting adds to the default's total, USD per million events. */
  readonly addsUsd: number;
}

export interface BundleSizes {
  readonly indexBytes: number;
  readonly sourceMapBytes: number;
  readonly zipBytes: number;
}

/** Everything one run measured; results.json is this, with the required top-level figures. */
export interface BenchReport {
  readonly machine: Machine;
  readonly durationSeconds: number;
  readonly quick: boolean;
  readonly verify: { readonly vsSvix: number; readonly vsFloor: number; readonly bySize: readonly VerifySizeResult[] };
  readonly verifierHandler: VerifierHandlerResult;
  readonly coldStart: { readonly vsExpress: number; readonly vsExpressSpread: Spread } & Omit<ColdStartResult, 'vsExpress'>;
  readonly bundles: Record<'verifier' | 'processor', BundleSizes>;
  readonly deployed: DeployedRunsResult;
  /** The same, run at application log level INFO. */
  readonly deployedAtInfo: DeployedRunsResult;
  readonly processor: { readonly writeUnitsPerEvent: Record<string, number> } & ProcessorBenchResult;
  readonly e2e: {
    readonly eventsPerSecond: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly lost: number;
  } & Omit<E2eResult, 'eventsPerSecond' | 'p50Ms' | 'p99Ms' | 'lost'> & {
      readonly spread: Pick<E2eResult, 'eventsPerSecond' | 'p50Ms' | 'p99Ms'>;
    };
  readonly cost: {
    readonly pricesAsOf: string;
    readonly eventsPerMonth: number;
    readonly lines: readonly CostLine[];
    readonly levers: readonly CostLever[];
    readonly billedMs: Record<'verifier' | 'processor', number>;
    readonly billedInitMs: Record<'verifier' | 'processor', number>;
    readonly coldStartsPerInvocation: number;
    readonly lambdaInitBilledSince: string;
  };
  readonly costPerMillionUsd: number;
  readonly goals: readonly Goal[];
}

const f = (value: number, digits = 1): string => value.toFixed(digits);
const kb = (bytes: number): string => `${f(bytes / 1024, 0)} KB`;
const spread = (s: Spread, digits = 1, unit = ''): string => formatSpread(s, digits, unit);

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n');
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines: string[] = [];
  lines.push(
    `Run ${m.date} on ${m.cpuModel}, ${m.cores} cores, ${m.memoryGb} GB, ${m.os}, Node ${m.node}; ` +
      `load average (1/5/15 min) ${m.loadAverageStart.join(' / ')} at the start, ${m.loadAverageEnd.join(' / ')} at the end; ` +
      `commit ${m.commit}; ${Math.round(report.durationSeconds)} s${report.quick ? ' (quick run: fewer repetitions)' : ''}.`,
    '',
    'Figures are medians, with the range over repeated runs in brackets; ratios are taken between',
    'contenders measured in turns in the same run.',
    '',
    '### Goals',
    '',
    table(
      ['goal', 'target', 'measured', 'met'],
      report.goals.map((goal) => [goal.name, goal.target, goal.measured, goal.met ? 'yes' : '**no**']),
    ),
    '',
    '### 1. Verification (verifications per CPU-second, one core)',
    '',
    table(
      ['body', 'ours', 'ours + JSON parse', 'svix `Webhook.verify`', 'floor (HMAC + compare)', 'ours / svix', '(ours + parse) / svix', 'ours / floor'],
      report.verify.bySize.map((size) => [
        `${size.bytes} B`,
        f(size.opsPerSecond.ours.median, 0),
        f(size.opsPerSecond.oursWithParse.median, 0),
        f(size.opsPerSecond.svix.median, 0),
        f(size.opsPerSecond.floor.median, 0),
        spread(size.verifyOnlyVsSvix, 2),
        spread(size.vsSvix, 2),
        spread(size.vsFloor, 2),
      ]),
    ),
    '',
    'svix\'s `verify` also parses the body (it returns the event), so "(ours + parse) / svix" compares',
    'the same work; "ours / svix" compares verification alone, which is what the floor does.',
    '',
    '### 2. Verifier handler and cold start',
    '',
    table(
      ['measure', 'value'],
      [
        ['handler, stub queue client (our code only), µs CPU per event', spread(report.verifierHandler.microsPerEvent.stub, 0)],
        ["handler, the verifier's own SQS client on a no-op transport, µs CPU per event", spread(report.verifierHandler.microsPerEvent.client, 0)],
        ['deployed verifier bundle, warm invocation against the SQS emulator, ms', spread(report.deployed.verifierMs, 2)],
        ['  of which CPU, ms', spread(report.deployed.verifierCpuMs, 2)],
        ['cold start, ours (spawn → first answer), ms', spread(report.coldStart.oursMs, 0)],
        ['  of which loading the bundle, ms', spread(report.coldStart.oursLoadMs, 0)],
        ['  of which the first event (secret read, event queued), ms', spread(report.coldStart.oursFirstEventMs, 0)],
        ['INIT as Lambda bills it (process start → handler loaded), ms / of which CPU, ms', `${spread(report.coldStart.oursInitMs, 0)} / ${spread(report.coldStart.oursInitCpuMs, 0)}`],
        ['cold start, Express + svix (spawn → first answer), ms', spread(report.coldStart.expressMs, 0)],
        ['bare `node -e ""` (spawn → exit), ms', spread(report.coldStart.bareNodeMs, 0)],
        ['cold start ours / Express', spread(report.coldStart.vsExpressSpread, 2)],
        ...(report.coldStart.variant
          ? [
              ['the same bundle with NODE_OPTIONS=--enable-source-maps (readable stack traces): cold start, ms', spread(report.coldStart.variant.ms, 0)],
              ['  of which loading the bundle, ms', spread(report.coldStart.variant.loadMs, 0)],
              ['  with source maps / Express', spread(report.coldStart.variant.vsExpress, 2)],
            ]
          : []),
        [
          'bundle size verifier (index.js / map / zip)',
          `${kb(report.bundles.verifier.indexBytes)} / ${kb(report.bundles.verifier.sourceMapBytes)} / ${kb(report.bundles.verifier.zipBytes)}`,
        ],
        [
          'bundle size processor (index.js / map / zip)',
          `${kb(report.bundles.processor.indexBytes)} / ${kb(report.bundles.processor.sourceMapBytes)} / ${kb(report.bundles.processor.zipBytes)}`,
        ],
      ],
    ),
    '',
    '### 3. Processor on DynamoDB Local',
    '',
    'Write units (of which on the index) and DynamoDB requests for one event; "alt." is the same',
    'processing behind an idempotency record (bench/idempotency-record.ts).',
    '',
    table(
      ['event', 'applied: ours', 'alt.', 'duplicate: ours', 'alt.', 'stale: ours', 'alt.', 'requests ours / alt. (applied)'],
      Object.entries(report.processor.scenarios).map(([type, phases]) => {
        const units = (phase: keyof typeof phases, who: 'ours' | 'idempotencyRecord'): string => {
          const cost = phases[phase][who];
          return `${f(cost.writeUnits, 0)} (${f(cost.indexWriteUnits, 0)})`;
        };
        return [
          type,
          units('applied', 'ours'),
          units('applied', 'idempotencyRecord'),
          units('duplicate', 'ours'),
          units('duplicate', 'idempotencyRecord'),
          units('stale', 'ours'),
          units('stale', 'idempotencyRecord'),
          `${phases.applied.ours.requests} / ${phases.applied.idempotencyRecord.requests}`,
        ];
      }),
    ),
    '',
    `Traffic mix (bench/workload.ts) in batches of ${report.processor.batchSize}, one batch at a time, ${report.processor.eventsPerRun} events per run:`,
    '',
    table(
      ['', 'ours', 'idempotency record', 'ours, gsi1 projecting all attributes (before)'],
      (
        [
          ['events per second', (mix) => spread(mix.eventsPerSecond, 0)],
          ['ms per batch', (mix) => spread(mix.batchMs, 0)],
          ['write units per event', (mix) => f(mix.writeUnitsPerEvent, 2)],
          ['read units per event', (mix) => f(mix.readUnitsPerEvent, 2)],
          ['DynamoDB requests per event', (mix) => f(mix.requestsPerEvent, 2)],
        ] as const satisfies readonly (readonly [string, (mix: MixFigures) => string])[]
      ).map(([label, show]) => [
        label,
        show(report.processor.mix.ours),
        show(report.processor.mix.idempotencyRecord),
        show(report.processor.mix.oursAllProjection),
      ]),
    ),
    '',
    '### 4. End to end (local pipeline)',
    '',
    table(
      ['events per second', 'p50 ms', 'p99 ms', 'lost', 'table = in-order table', 'events per round', 'mean batch size'],
      [
        [
          spread(report.e2e.spread.eventsPerSecond, 0),
          spread(report.e2e.spread.p50Ms, 0),
          spread(report.e2e.spread.p99Ms, 0),
          String(report.e2e.lost),
          report.e2e.tableMatchesInOrder ? 'yes' : '**no**',
          String(report.e2e.rounds[0]?.events ?? 0),
          f(report.e2e.rounds.reduce((sum, r) => sum + r.averageBatchSize, 0) / Math.max(1, report.e2e.rounds.length), 1),
        ],
      ],
    ),
    '',
    `### 5. Cost per million events (list prices ${report.cost.pricesAsOf}, us-east-1)`,
    '',
    table(
      ['item', 'basis', 'USD per million'],
      [
        ...report.cost.lines.map((line) => [line.item, line.basis, f(line.usdPerMillion, 3)]),
        ['**total**', '', `**${f(report.costPerMillionUsd, 2)}**`],
      ],
    ),
    '',
    'What each setting would cost if turned up from the default, priced from the same measured counts',
    '(the INFO log bytes come from the deployed bundles run again at application log level INFO;',
    'a negative figure saves):',
    '',
    table(
      ['setting', 'total USD per million', 'adds'],
      report.cost.levers.map((lever) => [lever.change, f(lever.totalUsd, 2), f(lever.addsUsd, 2)]),
    ),
  );
  return lines.join('\n');
}

export const RESULTS_START = '<!-- bench:results:start (written by `npm run bench`) -->';
export const RESULTS_END = '<!-- bench:results:end -->';

/** Replaces the generated part of BENCHMARKS.md, keeping what people wrote around it. */
export function updateBenchmarksFile(path: string, markdown: string): void {
  updateBenchmarksSection(path, RESULTS_START, RESULTS_END, markdown);
}

/** Replaces what lies between `startMarker` and `endMarker` (appended as a new section when they are missing). */
export function updateBenchmarksSection(path: string, startMarker: string, endMarker: string, markdown: string): void {
  const generated = `${startMarker}\n${markdown}\n${endMarker}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : `# Benchmarks\n\n${startMarker}\n${endMarker}\n`;
  const start = current.indexOf(startMarker);
  const end = current.indexOf(endMarker);
  const next =
    start === -1 || end === -1
      ? `${current.trimEnd()}\n\n## Latest run\n\n${generated}\n`
      : `${current.slice(0, start)}${generated}${current.slice(end + endMarker.length)}`;
  writeFileSync(path, next);
}
