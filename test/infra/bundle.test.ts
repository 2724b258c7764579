import { build } from 'esbuild';
import * as path from 'node:path';
import { CREDENTIAL_PROVIDERS_LAMBDA_NEVER_REACHES, PROJECT_ROOT } from '../../lib/constructs/node-function';

/**
 * NodeFunction leaves the credential providers Lambda never reaches out of the bundles. That is
 * safe only while the SDK imports them lazily, with `import()`, after the environment provider
 * (which always answers in Lambda): a static import would run at load. Bundled here with the same
 * settings as NodeFunction's, so an SDK update that changes this fails the tests, not a cold start.
 */
describe('function bundles', () => {
  it.each(['verifier', 'processor', 'notifier'])('%s: the providers left out are only ever imported lazily', async (fn) => {
    const result = await build({
      entryPoints: [path.join(PROJECT_ROOT, 'lambdas', fn, 'index.ts')],
      bundle: true,
      platform: 'node',
      target: 'node24',
      format: 'cjs',
      minify: true,
      mainFields: ['module', 'main'],
      external: [...CREDENTIAL_PROVIDERS_LAMBDA_NEVER_REACHES],
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    const imported = (pattern: RegExp) => [...code.matchAll(pattern)].map((match) => match[1]).sort();
    const leftOut: readonly string[] = CREDENTIAL_PROVIDERS_LAMBDA_NEVER_REACHES;
    const lazily = imported(/\bimport\("(@[^"]+)"\)/g);
    // (The SDK's optional `require("@aws-sdk/signature-v4-crt")` in a try block is not ours to judge.)
    expect(imported(/\brequire\("(@[^"]+)"\)/g).filter((specifier) => leftOut.includes(specifier!))).toEqual([]);
    expect(lazily.length).toBeGreaterThan(0);
    for (const specifier of lazily) expect(leftOut).toContain(specifier);
  });
});
