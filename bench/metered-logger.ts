import { Logger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

type LogItem = Parameters<Logger['printLog']>[1];

/** Shared by a logger and its children (the processor makes one child per record). */
export interface LogMeter {
  bytes: number;
  lines: number;
}

/**
 * A real Powertools Logger that serialises every line exactly as it would print it, and counts
 * the bytes instead of writing them: the in-process benches pay for the logging work without
 * flooding the console, and learn how many bytes CloudWatch would ingest.
 */
export class MeteredLogger extends Logger {
  constructor(
    private readonly meter: LogMeter,
    options: ConstructorOptions = {},
  ) {
    super(options);
  }

  protected override createLogger(options?: ConstructorOptions): Logger {
    return new MeteredLogger(this.meter, options);
  }

  protected override printLog(_logLevel: number, log: LogItem): void {
    log.prepareForPrint();
    const line = JSON.stringify(log.getAttributes(), this.getJsonReplacer());
    this.meter.bytes += Buffer.byteLength(line) + 1;
    this.meter.lines += 1;
  }
}
