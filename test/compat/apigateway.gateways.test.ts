// Several gateways (a storage+gateway node and a second gateway node, in this process) serving
// one cluster's APIs: a REST stage's throttle holds across both (requests spread over them are
// admitted no more than the limit allows in sum), and a WebSocket connection held by one gateway
// is reached through the other's @connections API.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GetConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { ApiGatewayV2Client, CreateApiCommand, CreateStageCommand } from '@aws-sdk/client-apigatewayv2';
import { WebSocket } from 'ws';
import { APIGatewayClient, CreateDeploymentCommand, CreateRestApiCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNodeOptions } from '../../nodes/options.js';
import { type RunningNode, runNode } from '../../nodes/run-node.js';
import { freePorts } from '../ports.js';
import { connectionIdRoute, mockMethod } from './apigw-fixtures.js';
import { ROOT, type SqsTarget, startEmbedded } from './targets.js';

describe('APIs served by several gateways', () => {
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
    await mockMethod(apigw, { restApiId: apiId, resourceId, httpMethod: 'GET', responseTemplate: '{"ok": true}' });
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

  it('reaches a WebSocket connection held by one gateway through the other gateway @connections API (signed, with the SDK)', async () => {
    const v2 = new ApiGatewayV2Client({ endpoint: first.endpoint, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    const ws = (await v2.send(new CreateApiCommand({ Name: 'two-gateways', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }))).ApiId!;
    await connectionIdRoute(v2, ws, '$default');
    await v2.send(new CreateStageCommand({ ApiId: ws, StageName: 'live', AutoDeploy: true }));
    v2.destroy();

    // The client connects to the second gateway; the first one is asked to post to it.
    const socket = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(`ws://${second!.httpAddress!}/_api/${ws}/live`);
      s.once('open', () => resolve(s));
      s.once('error', reject);
    });
    const got: string[] = [];
    const closed = new Promise<number>((r) => socket.once('close', (code) => r(code)));
    const next = async (): Promise<string> => {
      const deadline = Date.now() + 5000;
      while (got.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return got.shift()!;
    };
    socket.on('message', (d) => got.push(d.toString()));
    socket.send(JSON.stringify({ action: 'whoami' }));
    const { id } = JSON.parse(await next()) as { id: string };

    const mgmt = new ApiGatewayManagementApiClient({ endpoint: `${first.endpoint}/_api/${ws}/live`, region: 'us-east-1', credentials: ROOT, maxAttempts: 1 });
    // Announcements reach the catalog in the background at start-up: wait for the second gateway's.
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        await mgmt.send(new PostToConnectionCommand({ ConnectionId: id, Data: Buffer.from('via the first gateway') }));
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(await next()).toBe('via the first gateway');
    const info = await mgmt.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    await mgmt.send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect(await closed).toBe(1000);
    // Gone everywhere once closed.
    await expect(mgmt.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toMatchObject({ name: 'GoneException' });
    mgmt.destroy();
  }, 30_000);
});
