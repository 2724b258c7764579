import { coldStart, thrownBy } from '../../test/support/cold-start';

/** index.ts reads its configuration at import: a bad deployment fails at cold start, before any batch. */
describe('processor index', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  const importIndex = (): unknown => coldStart(() => require('./index'));


  const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/dlq';
  const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/events';

  it.each([
    ['TABLE_NAME', { DEAD_LETTER_QUEUE_URL: DLQ, QUEUE_URL: QUEUE }],
    ['DEAD_LETTER_QUEUE_URL', { TABLE_NAME: 'clerk-sync', QUEUE_URL: QUEUE }],
    ['QUEUE_URL', { TABLE_NAME: 'clerk-sync', DEAD_LETTER_QUEUE_URL: DLQ }],
  ])('throws a ConfigurationError naming %s when it is missing', (name, env) => {
    delete process.env.TABLE_NAME;
    delete process.env.DEAD_LETTER_QUEUE_URL;
    delete process.env.QUEUE_URL;
    Object.assign(process.env, env);
    const error = thrownBy(importIndex);
    expect(error.code).toBe('CONFIGURATION');
    expect(error.message).toBe(`environment variable ${name} is required but not set`);
  });

  it('rejects a TOMBSTONE_TTL_DAYS that is not a positive integer', () => {
    Object.assign(process.env, { TABLE_NAME: 'clerk-sync', DEAD_LETTER_QUEUE_URL: DLQ, QUEUE_URL: QUEUE, TOMBSTONE_TTL_DAYS: '-1' });
    expect(thrownBy(importIndex).message).toBe('environment variable TOMBSTONE_TTL_DAYS must be a positive integer, got "-1"');
  });

  it('exports a handler when configured', () => {
    Object.assign(process.env, { TABLE_NAME: 'clerk-sync', DEAD_LETTER_QUEUE_URL: DLQ, QUEUE_URL: QUEUE });
    expect(importIndex()).toEqual({ handler: expect.any(Function) });
  });
});
