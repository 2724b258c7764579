/** An EMF document as CloudWatch receives it: `_aws` metadata, dimension values and metric values at the top level. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string;
      readonly Dimensions: string[][];
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: string }>;
    }>;
  };
  readonly [key: string]: unknown;
}

export interface CapturedOutput<T> {
  readonly result: T;
  /** Every line written, as CloudWatch Logs would receive it. */
  readonly text: string;
  readonly emf: EmfDocument[];
  /** The JSON lines that are not EMF: the structured logs. */
  readonly logs: Record<string, unknown>[];
  /** Anything else (e.g. jest's own console output). */
  readonly unstructured: string[];
}

/**
 * Runs `action` with stdout and stderr captured (Powertools writes its logs and EMF there, as
 * Lambda expects) and returns what was written, parsed.
 */
export async function captureOutput<T>(action: () => T | Promise<T>): Promise<CapturedOutput<T>> {
  const chunks: string[] = [];
  const capture = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(capture),
    jest.spyOn(process.stderr, 'write').mockImplementation(capture),
  ];
  let result: T;
  try {
    result = await action();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  const text = chunks.join('');
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  const parsed = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    result,
    text,
    emf: parsed.filter((line): line is EmfDocument => '_aws' in line),
    logs: parsed.filter((line) => !('_aws' in line)),
    unstructured: lines.filter((line) => !line.startsWith('{')),
  };
}

export async function captureEmf(action: () => void): Promise<EmfDocument[]> {
  return (await captureOutput(action)).emf;
}
