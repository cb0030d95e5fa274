// Shared by the telemetry tests: a test function package, its invoke target, and an embedded node.
import { createHash } from 'node:crypto';
import { strToU8, zipSync } from 'fflate';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { type InvokeTarget } from '../../nodes/scheduler/types.js';
import { freePorts } from '../ports.js';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';

/** One package for every test function: fails on `fail`, waits `ms` when asked. */
export const CODE = zipSync({
  'index.mjs': strToU8(`export const handler = async (event) => {
  if (event.ms) await new Promise((r) => setTimeout(r, event.ms));
  if (event.fail) throw new TypeError('bad input ' + event.n);
  console.log('ran', event.n);
  return { n: event.n };
};
`),
});

export function targetOf(functionName: string, reserved: number | null = null): InvokeTarget {
  return {
    functionName,
    invokedArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    version: '$LATEST',
    config: {
      version: '$LATEST',
      description: '',
      runtime: 'nodejs20.x',
      handler: 'index.handler',
      role: `arn:aws:iam::${ACCOUNT}:role/r`,
      memorySize: 128,
      timeout: 10,
      environment: null,
      layers: [],
      ephemeralStorage: 512,
      deadLetterTarget: null,
      tracingMode: 'PassThrough',
      code: { sha256: createHash('sha256').update(CODE).digest('hex'), size: CODE.length, chunks: [] },
      codeSha256: createHash('sha256').update(CODE).digest('base64'),
      lastModified: new Date(0).toISOString(),
      revisionId: 'rev-1',
    },
    layers: [],
    env: {},
    reserved,
    rev: 1,
  };
}

/** An embedded node (storage and gateway in this process) the components under test talk to. */
export async function startNode(dir: string): Promise<RunningNode> {
  const [port] = await freePorts(1);
  const o = parseNodeOptions(['--data', dir, '--grpc-port', String(port), '--http-port', '0', '--tick-ms', '20', '--auth', 'off', '--scheduler', 'off'], {});
  return runNode({ ...o, role: 'all', id: 1, peers: new Map([[1, o.advertise]]) }, () => undefined);
}

