import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const PACKAGE_NAME = 'clerk-webhook-sync';

/**
 * The directory of this package's package.json: the repository root when run from source, or
 * `node_modules/clerk-webhook-sync` in an app that installed it. Found by walking up from this
 * file, because the compiled package (dist/lib/…) sits one level deeper than the sources.
 */
export function findPackageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) {
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package.json above ${from}`);
  }
}

/** Where the Lambda handlers' TypeScript sources are (the package ships them; esbuild bundles them at synth). */
export const PACKAGE_ROOT = findPackageRoot();

/**
 * The lock file bundling pins dependency versions with: this repository's own when run from it.
 * An installed package has none (npm never publishes lock files); the app's own is found by CDK then.
 */
export function ownLockFile(root: string = PACKAGE_ROOT): string | undefined {
  const lockFile = path.join(root, 'package-lock.json');
  return existsSync(lockFile) ? lockFile : undefined;
}
