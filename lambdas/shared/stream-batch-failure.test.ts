import { MalformedStreamRecordError } from './errors';
import { retryFrom } from './stream-batch-failure';

describe('retryFrom', () => {
  it('names the failed record by its sequence number, so the event source retries from it', () => {
    expect(retryFrom({ eventID: 'e1', dynamodb: { SequenceNumber: '4200' } })).toEqual({ batchItemFailures: [{ itemIdentifier: '4200' }] });
  });

  it('fails the whole invocation for a record it cannot name, rather than let it be skipped', () => {
    expect(() => retryFrom({ eventID: 'e2', dynamodb: {} })).toThrow(MalformedStreamRecordError);
    expect(() => retryFrom({})).toThrow('record (no eventID) failed and has no SequenceNumber to report');
  });
});
