// Deployment packages for the Lambda tests: handler sources zipped in memory.
import { zipSync, strToU8 } from 'fflate';

export function zip(files: Record<string, string>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(files)) entries[name] = strToU8(text);
  return zipSync(entries);
}

/** Echoes the event with what the handler sees of its context and environment. */
export const ECHO = zip({
  'index.mjs': `
let inits = 0;
inits++;
export const handler = async (event, context) => {
  console.log('echo', JSON.stringify(event));
  return {
    event,
    inits,
    requestId: context.awsRequestId,
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    invokedFunctionArn: context.invokedFunctionArn,
    memoryLimitInMB: context.memoryLimitInMB,
    remaining: context.getRemainingTimeInMillis(),
    logGroupName: context.logGroupName,
    env: { GREETING: process.env.GREETING, AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME, AWS_REGION: process.env.AWS_REGION, TRACE: process.env._X_AMZN_TRACE_ID !== undefined },
    version: 'v1',
  };
};
`,
});

export const ECHO_V2 = zip({ 'index.mjs': `export const handler = async (event) => ({ event, version: 'v2' });\n` });

/** Callback style, CommonJS. */
export const CALLBACK = zip({ 'app.js': `exports.main = (event, context, callback) => { setTimeout(() => callback(null, { sum: event.a + event.b }), 5); };\n` });

export const FAILING = zip({ 'index.mjs': `export const handler = async (event) => { if (event.ok) return 'fine'; const e = new TypeError('bad input: ' + event.n); throw e; };\n` });

export const SLOW = zip({ 'index.mjs': `export const handler = async (event) => { await new Promise((r) => setTimeout(r, event.ms ?? 500)); return 'done'; };\n` });

export const SPIN = zip({ 'index.mjs': `export const handler = async () => { for (;;) {} };\n` });

export const HOG = zip({ 'index.mjs': `export const handler = async () => { const keep = []; for (;;) keep.push(new Array(1e6).fill(Math.random())); };\n` });

export const USES_LAYER = zip({ 'index.js': `const greet = require('greet'); exports.handler = async (e) => greet(e.name);\n` });

export const LAYER = zip({
  'nodejs/node_modules/greet/package.json': JSON.stringify({ name: 'greet', main: 'index.js' }),
  'nodejs/node_modules/greet/index.js': `module.exports = (n) => 'hello ' + n + ' from a layer';\n`,
});
