// Types for engines.mjs (plain ESM because fauxqs ships only as ESM), so the TypeScript
// entry points can import it with checking.

export declare class EngineStartError extends Error {
  constructor(message: string, options?: { cause?: unknown });
}

export interface RunningEngine {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface RunningDynamoDbLocal extends RunningEngine {
  /** The Java process, so callers can prove it is gone after stop(). */
  readonly pid: number | undefined;
}

/** Resolves a free loopback port when `port` is 0; rejects with EngineStartError when a fixed port is taken. */
export declare function claimPort(port: number, what: string): Promise<number>;

export declare function startDynamoDbLocal(options?: {
  port?: number;
  dataDir?: string | null;
  timeoutMs?: number;
  /** Aborting it during start-up stops the Java process and rejects. */
  signal?: AbortSignal;
}): Promise<RunningDynamoDbLocal>;

export declare function startSqsEmulator(options?: { port?: number; region?: string }): Promise<RunningEngine>;
