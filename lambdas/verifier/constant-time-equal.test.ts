import fc from 'fast-check';
import { constantTimeEqual } from './verify-signature';

describe('constantTimeEqual', () => {
  const signature = 'g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

  it('is true only for identical strings', () => {
    expect(constantTimeEqual(signature, signature.slice())).toBe(true);
    expect(constantTimeEqual(signature, `h${signature.slice(1)}`)).toBe(false);
    expect(constantTimeEqual(signature, `${signature.slice(0, -2)}A=`)).toBe(false);
  });

  it('is false for different lengths, including a prefix', () => {
    expect(constantTimeEqual(signature, signature.slice(0, 43))).toBe(false);
    expect(constantTimeEqual('', signature)).toBe(false);
  });

  it('agrees with === on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(constantTimeEqual(a, b)).toBe(a === b);
        expect(constantTimeEqual(a, a)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
