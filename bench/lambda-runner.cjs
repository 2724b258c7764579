'use strict';
// Plays the Lambda runtime for a bundled function in a fresh node process: loads the bundle
// (its module scope is the function's init), then invokes `handler` with each event of the
// JSON file in turn. Results go to fd 3, one JSON line per event, so that stdout and stderr
// carry only what the function itself logs (the bench counts those bytes).
// Plain CommonJS run by plain node: no TypeScript loader may weigh on the cold start.
const dns = require('node:dns');
const { writeSync, readFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

// The SQS emulator names its queues http://sqs.<region>.localhost:<port>/..., and the SDK sends to
// a queue URL's own host. Names under .localhost are loopback (RFC 6761), but not every resolver
// says so; answer them here, as such a resolver would.
const systemLookup = dns.lookup;
dns.lookup = function lookup(hostname, options, callback) {
  if (typeof hostname !== 'string' || !hostname.endsWith('.localhost')) return systemLookup.apply(this, arguments);
  const done = typeof options === 'function' ? options : callback;
  const all = typeof options === 'object' && options !== null && options.all;
  process.nextTick(() => (all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
};

const [bundlePath, eventsPath, functionName] = process.argv.slice(2);
const RESULTS_FD = 3;

function randomHex(bytes) {
  return require('node:crypto').randomBytes(bytes).toString('hex');
}

function report(line) {
  writeSync(RESULTS_FD, `${JSON.stringify(line)}\n`);
}

async function main() {
  const events = JSON.parse(readFileSync(eventsPath, 'utf8'));
  const loadStart = performance.now();
  // Lambda loads an .mjs handler as an ES module and anything else with require().
  const { handler } = bundlePath.endsWith('.mjs') ? await import(require('node:url').pathToFileURL(bundlePath).href) : require(bundlePath);
  const loadMs = performance.now() - loadStart;
  // INIT as Lambda counts it: from the process's start (the runtime starting node) to the handler
  // loaded; performance.now() counts from the process's start, cpuUsage() without a base too.
  const initMs = performance.now();
  const initCpu = process.cpuUsage();
  for (let index = 0; index < events.length; index += 1) {
    const context = {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE || '256',
      awsRequestId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'bench',
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => 10_000,
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    };
    // As the Lambda runtime does for every invocation (Powertools logs it as xray_trace_id).
    process.env._X_AMZN_TRACE_ID = `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomHex(12)};Parent=${randomHex(8)};Sampled=1`;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const result = await handler(events[index], context);
    const ms = performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    report({ index, ms, cpuMs: (cpu.user + cpu.system) / 1000, loadMs: index === 0 ? loadMs : undefined, initMs: index === 0 ? initMs : undefined, initCpuMs: index === 0 ? (initCpu.user + initCpu.system) / 1000 : undefined, statusCode: result && result.statusCode, failures: result && result.batchItemFailures ? result.batchItemFailures.length : undefined });
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    report({ error: error && error.stack ? error.stack : String(error) });
    process.exit(1);
  },
);
