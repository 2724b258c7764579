import type { DeployedFunction } from './deployed-functions';

/**
 * The deployed verifier as an operator would run it for readable stack traces: the same bundle
 * (its source map ships beside it) with `NODE_OPTIONS=--enable-source-maps`, which makes Node
 * read the map at load. Measured alongside ours at cold start: what that setting costs.
 */
export function withSourceMaps(deployed: DeployedFunction): DeployedFunction {
  return { ...deployed, literalEnvironment: { ...deployed.literalEnvironment, NODE_OPTIONS: '--enable-source-maps' } };
}
