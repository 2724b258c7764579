import { build, type BuildResult } from 'esbuild';
import * as path from 'node:path';
import { CREDENTIAL_PROVIDERS_LAMBDA_NEVER_REACHES, PROJECT_ROOT } from '../../lib/constructs/node-function';

/** A function's bundle with the same settings as NodeFunction's (minified, ES module builds first, the providers left out). */
async function bundle(fn: string): Promise<BuildResult & { outputFiles: { text: string }[]; metafile: NonNullable<BuildResult['metafile']> }> {
  return build({
    entryPoints: [path.join(PROJECT_ROOT, 'lambdas', fn, 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    mainFields: ['module', 'main'],
    external: [...CREDENTIAL_PROVIDERS_LAMBDA_NEVER_REACHES],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
}

/**
 * NodeFunction leaves the credential providers Lambda never reaches out of the bundles. That is
 * safe only while the SDK imports them lazily, with `import()`, after the environment provider
 * (which always answers in Lambda): a static import would run at load. Bundled here with the same
 * settings as NodeFunction's, so an SDK update that changes this fails the tests, not a cold start.
 */
describe('function bundles', () => {
  it.each(['processor', 'notifier'])('%s: the providers left out are only ever imported lazily', async (fn) => {
    const code = (await bundle(fn)).outputFiles[0]!.text;
    const imported = (pattern: RegExp) => [...code.matchAll(pattern)].map((match) => match[1]).sort();
    const leftOut: readonly string[] = CREDENTIAL_PROVIDERS_LAMBDA_NEVER_REACHES;
    const lazily = imported(/\bimport\("(@[^"]+)"\)/g);
    // (The SDK's optional `require("@aws-sdk/signature-v4-crt")` in a try block is not ours to judge.)
    expect(imported(/\brequire\("(@[^"]+)"\)/g).filter((specifier) => leftOut.includes(specifier!))).toEqual([]);
    expect(lazily.length).toBeGreaterThan(0);
    for (const specifier of lazily) expect(leftOut).toContain(specifier);
  });

  it('verifier: carries no AWS SDK, only SigV4 and the few helpers of @smithy/core it imports', async () => {
    const result = await bundle('verifier');
    const code = result.outputFiles[0]!.text;
    const bytesBy = (pattern: RegExp) =>
      Object.entries(Object.values(result.metafile.outputs)[0]!.inputs)
        .filter(([file]) => pattern.test(file))
        .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
    expect(bytesBy(/node_modules\/@aws-sdk\//)).toBe(0);
    expect(bytesBy(/node_modules\/@smithy\/signature-v4\//)).toBeGreaterThan(0);
    // @smithy/signature-v4 imports hex and UTF-8 encoding, HttpRequest and URI escaping from @smithy/core (about 5 KB).
    expect(bytesBy(/node_modules\/@smithy\/core\//)).toBeLessThan(8 * 1024);
    expect(code).not.toMatch(/\b(require|import)\("@aws-sdk\//);
  });
});
