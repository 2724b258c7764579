import fc from 'fast-check';
import { toSqsSafeJson } from './sqs-safe-json';

// What the SQS emulator accepts (real SQS additionally accepts #x10000-#x10FFFF).
const EMULATOR_SAFE = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD]*$/;

describe('toSqsSafeJson', () => {
  it('escapes emoji and U+FFFE/U+FFFF and parses back to the same value', () => {
    const value = { name: 'Zoë 🚀', odd: '\uFFFF\uFFFE', lone: '\uD800', control: '\u0001' };
    const json = toSqsSafeJson(value);
    expect(json).toBe('{"name":"Zoë \\ud83d\\ude80","odd":"\\uffff\\ufffe","lone":"\\ud800","control":"\\u0001"}');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('round-trips any JSON value using only characters SQS accepts', () => {
    fc.assert(
      fc.property(fc.jsonValue({ depthSize: 'small' }), fc.string({ unit: 'binary' }), (value, text) => {
        for (const input of [value, { text }]) {
          const json = toSqsSafeJson(input);
          expect(json).toMatch(EMULATOR_SAFE);
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(input)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
