/** Loads a module afresh, so its module-scope configuration runs again, as on a Lambda cold start. */
export function coldStart(load: () => unknown): unknown {
  let loaded: unknown;
  jest.isolateModules(() => {
    loaded = load();
  });
  return loaded;
}

/** The error `action` throws; fails the test when it throws nothing. */
export function thrownBy(action: () => unknown): Error & { code?: string } {
  try {
    action();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected the import to throw');
}
