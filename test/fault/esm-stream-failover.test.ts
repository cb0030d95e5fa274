// A Kinesis event source mapping on a 3-node cluster while the process running its scheduler is
// killed (SIGKILL) and restarted: after the restart no record is skipped, each shard's records
// reach the function in sequence order (first deliveries), and the number of records delivered
// again (the batches in flight at the kill, since the last checkpoint) is reported.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateEventSourceMappingCommand, CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zip } from '../compat/lambda-fixtures.js';
import { ROOT } from '../compat/targets.js';
import { TestCluster } from './harness.js';
import { freePorts } from '../ports.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Records "shard seq text" per record, then takes a while, so batches are in flight at the kill. */
const RECORDER = zip({
  'index.mjs': `
import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const lines = event.Records.map((r) => r.eventID.split(':')[0] + ' ' + r.kinesis.sequenceNumber + ' ' + Buffer.from(r.kinesis.data, 'base64').toString()).join('\\n') + '\\n';
  appendFileSync(process.env.OUT_FILE, lines);
  await new Promise((r) => setTimeout(r, 100));
  return {};
};
`,
});

describe('a stream event source mapping while the scheduler process dies', () => {
  let c: TestCluster;
  let lambda: LambdaClient;
  let kinesis: KinesisClient;
  let out: string;
  let httpPort = 0;
  beforeAll(async () => {
    [httpPort] = (await freePorts(1)) as [number];
    process.env.STRATUS_ROOT_ACCESS_KEY_ID = ROOT.accessKeyId;
    process.env.STRATUS_ROOT_SECRET_ACCESS_KEY = ROOT.secretAccessKey;
    c = await TestCluster.start(3, ['--http-port', String(httpPort), '--kinesis-limits', 'off']);
    out = join(mkdtempSync(join(tmpdir(), 'stratus-esm-failover-')), 'seen.log');
    const endpoint = `http://127.0.0.1:${httpPort}`;
    lambda = new LambdaClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: new NodeHttpHandler({ requestTimeout: 8000 }) });
    kinesis = new KinesisClient({ endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1, requestHandler: new NodeHttpHandler({ requestTimeout: 8000 }) });
  }, 60_000);
  afterAll(async () => {
    lambda?.destroy();
    kinesis?.destroy();
    await c?.cleanup();
    if (out) rmSync(join(out, '..'), { recursive: true, force: true });
  }, 30_000);

  const seen = (): { shard: string; seq: bigint; text: string }[] =>
    (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') : []).map((l) => {
      const [shard, seq, text] = l.split(' ');
      return { shard: shard!, seq: BigInt(seq!), text: text! };
    });

  it('skips no record and keeps each shard in order across the kill', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName: 'failover', ShardCount: 2 }));
    const n = 400;
    const written: string[] = [];
    for (let i = 0; i < n; i += 100) {
      const records = Array.from({ length: 100 }, (_, k) => ({ PartitionKey: `key${(i + k) % 8}`, Data: Buffer.from(`r${i + k}`) }));
      const r = await kinesis.send(new PutRecordsCommand({ StreamName: 'failover', Records: records }));
      expect(r.FailedRecordCount).toBe(0);
      written.push(...records.map((x) => Buffer.from(x.Data).toString()));
    }
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'stream-recorder', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: RECORDER }, Environment: { Variables: { OUT_FILE: out } } }),
    );
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'stream-recorder', EventSourceArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/failover', StartingPosition: 'TRIM_HORIZON', BatchSize: 10 }));
    const until = Date.now() + 60_000;
    while (new Set(seen().map((s) => s.text)).size < n / 4 && Date.now() < until) await sleep(50);
    expect(new Set(seen().map((s) => s.text)).size).toBeGreaterThanOrEqual(n / 4);
    c.killGateway();
    const atKill = new Set(seen().map((s) => s.text)).size;
    c.restartGateway();
    // The restarted scheduler takes the shards once the killed one's leases expire (15 s).
    const done = Date.now() + 120_000;
    while (new Set(seen().map((s) => s.text)).size < n && Date.now() < done) await sleep(200);
    const lines = seen();
    const unique = new Set(lines.map((s) => s.text));
    expect(written.filter((t) => !unique.has(t))).toEqual([]);
    for (const shard of new Set(lines.map((s) => s.shard))) {
      const firsts: bigint[] = [];
      const done = new Set<bigint>();
      for (const l of lines) if (l.shard === shard && !done.has(l.seq)) (done.add(l.seq), firsts.push(l.seq));
      expect(firsts, `first deliveries of ${shard} in sequence order`).toEqual([...firsts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    const redelivered = lines.length - unique.size;
    process.stdout.write(`esm stream failover: ${n} records, ${atKill} processed at the kill, ${redelivered} delivered again after the restart\n`);
  }, 200_000);
});
