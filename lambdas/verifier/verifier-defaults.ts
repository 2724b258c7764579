/**
 * Defaults of the verifier's optional settings. Plain numbers on purpose: lib/pipeline-defaults
 * imports aws-cdk-lib, which would be bundled into the function (tens of MB); it re-exports
 * these for the stack and the local pipeline.
 */
export const VERIFIER_DEFAULTS = {
  maxBodyBytes: 256 * 1024,
  secretCacheTtlSeconds: 300,
  serviceName: 'clerk-webhook-verifier',
} as const;
