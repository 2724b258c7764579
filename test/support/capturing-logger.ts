import { Logger } from '@aws-lambda-powertools/logger';

type LogItem = Parameters<Logger['printLog']>[1];

/** A real Powertools Logger that keeps each structured line instead of printing it. */
export class CapturingLogger extends Logger {
  readonly lines: Record<string, unknown>[] = [];

  constructor() {
    super({ serviceName: 'clerk-webhook-verifier-test', logLevel: 'DEBUG' });
  }

  /** Everything logged, serialised as CloudWatch would receive it. */
  text(): string {
    return this.lines.map((line) => JSON.stringify(line)).join('\n');
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    this.lines.push(JSON.parse(JSON.stringify(log.getAttributes())) as Record<string, unknown>);
  }
}
