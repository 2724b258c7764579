export default async function globalTeardown() {
  const engines = globalThis.__ENGINES__;
  if (!engines) return;
  await Promise.all([engines.dynamodb.stop(), engines.sqs.stop()]);
}
