// With OTEL_EXPORTER_OTLP_ENDPOINT (here --otlp-endpoint) set, spans also leave by OTLP/HTTP to a
// collector: the gateway's, the scheduler's and those made in the worker thread.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracing } from '../../nodes/telemetry/tracing.js';
import { ECHO } from '../compat/lambda-fixtures.js';
import { lambdaClient } from '../compat/lambda-suite.js';
import { startEmbedded } from '../compat/targets.js';

describe('OTLP export', () => {
  let collector: Server;
  const received: { path: string; body: Buffer }[] = [];

  beforeAll(async () => {
    collector = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path: req.url ?? '', body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => collector.listen(0, '127.0.0.1', () => r()));
  });
  afterAll(() => new Promise<void>((r) => collector.close(() => r())));

  it('sends every tier\'s spans to the collector', async () => {
    const port = (collector.address() as AddressInfo).port;
    const t = await startEmbedded(['--otlp-endpoint', `http://127.0.0.1:${port}`, '--trace-rate', '1', '--trace-reservoir', '100']);
    const lambda = lambdaClient(t.endpoint);
    try {
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'exported', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/r', Handler: 'index.handler', Code: { ZipFile: ECHO }, TracingConfig: { Mode: 'Active' } }));
      await lambda.send(new InvokeCommand({ FunctionName: 'exported', Payload: new Uint8Array(Buffer.from('{}')) }));
      await tracing()!.flush();
      const all = received.filter((r) => r.path === '/v1/traces').map((r) => r.body.toString('utf8')).join('\n');
      for (const name of ['gateway.aws.request', 'storage.raft.commit', 'scheduler.function.invoke', 'worker.function.handler']) expect(all, name).toContain(name);
      expect(all).toContain('stratus-all');
    } finally {
      lambda.destroy();
      await t.stop();
    }
  }, 60_000);
});
