// A throttle holds across gateways: two gateway processes' worth of fronts (a storage+gateway node
// and a second gateway node, in this process) serving one REST API stage share its method
// throttle, so requests spread over both are admitted no more than the limit allows in sum.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, CreateDeploymentCommand, CreateRestApiCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { freePorts } from '../ports.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

describe('REST API throttling across gateways', () => {
  let first: SqsTarget & { node: RunningNode };
  let second: RunningNode | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'stratus-apigw-gw2-'));
  let apigw: APIGatewayClient;
  let apiId: string;

  beforeAll(async () => {
    first = await startEmbedded();
    const [port] = await freePorts(1);
    second = await runNode(parseNodeOptions(['--role', 'gateway', '--id', '21', '--peers', `1=${first.node.grpcAddress}`, '--grpc-port', String(port), '--http-port', '0', '--scheduler', 'off', '--data', dir, '--tick-ms', '20'], {}), () => undefined);
    apigw = new APIGatewayClient({ endpoint: first.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const api = await apigw.send(new CreateRestApiCommand({ name: 'shared-throttle' }));
    apiId = api.id!;
    const resourceId = api.rootResourceId!;
    await apigw.send(new PutMethodCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', authorizationType: 'NONE' }));
    await apigw.send(new PutIntegrationCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await apigw.send(new PutMethodResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '200' }));
    await apigw.send(new PutIntegrationResponseCommand({ restApiId: apiId, resourceId, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } }));
    await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'prod' }));
    // 5 requests of burst and practically no refill during the test: the counts are exact.
    await apigw.send(
      new UpdateStageCommand({
        restApiId: apiId,
        stageName: 'prod',
        patchOperations: [
          { op: 'replace', path: '/*/*/throttling/burstLimit', value: '5' },
          { op: 'replace', path: '/*/*/throttling/rateLimit', value: '0.001' },
        ],
      }),
    );
  }, 60_000);

  afterAll(async () => {
    apigw?.destroy();
    await second?.stop();
    await first?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('admits the stage burst once in sum over both gateways, and 429 beyond it on either', async () => {
    const url = (endpoint: string): string => `${endpoint}/_api/${apiId}/prod/`;
    const endpoints = [first.endpoint, `http://${second!.httpAddress!}`];
    // Both gateways serve the API before counting starts (the second reads it from the catalog).
    for (const e of endpoints) {
      const deadline = Date.now() + 10_000;
      let status = 0;
      while (status !== 200 && status !== 429 && Date.now() < deadline) status = (await fetch(url(e))).status;
      expect([200, 429]).toContain(status);
    }
    // Two requests went into the readiness checks above; three are left of the burst.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) for (const e of endpoints) statuses.push((await fetch(url(e))).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    // Each gateway answered 429 with AWS's body.
    const last = await fetch(url(endpoints[1]!));
    expect(last.status).toBe(429);
    expect(await last.json()).toEqual({ message: 'Too Many Requests' });
  });
});
