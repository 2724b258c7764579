import { build } from 'esbuild';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type { DeployedFunction } from './deployed-functions';

/**
 * The verifier bundled differently, for the cold-start comparison only: what the function would
 * gain from its build settings (lib/constructs/node-function.ts) alone, the code unchanged. Same
 * esbuild settings as the stack's NodejsFunction (minified, CJS, node24 target, the AWS SDK
 * bundled, source maps without sources), except:
 * - `mainFields: ['module', 'main']`: the SDK's ES module builds, which esbuild can tree-shake,
 *   instead of its CommonJS builds;
 * - and it runs without NODE_OPTIONS=--enable-source-maps (stack traces stay minified).
 */
export async function buildLeanVerifier(deployed: DeployedFunction, outDir: string): Promise<DeployedFunction> {
  const outfile = path.join(outDir, 'lean-verifier', 'index.js');
  await build({
    entryPoints: [path.join(__dirname, '..', 'lambdas', 'verifier', 'index.ts')],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    outfile,
    logLevel: 'warning',
  });
  const { NODE_OPTIONS: _sourceMaps, ...environment } = deployed.literalEnvironment;
  return {
    ...deployed,
    assetDir: path.dirname(outfile),
    indexPath: outfile,
    indexBytes: statSync(outfile).size,
    sourceMapBytes: statSync(`${outfile}.map`).size,
    literalEnvironment: environment,
  };
}
