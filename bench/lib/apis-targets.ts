// What bench/apis.ts measures: Stratus (`stratus start` in a child process, as users run it;
// in the bench process, tsx's loader hooks reach Lambda's worker threads and Node 20 aborted in
// require(esm) there) serving an HTTP API with a Lambda proxy integration (payload 2.0) and a REST API
// with a MOCK integration, and the floor: a bare node:http server calling the same trivial
// handler in-process. Every target answers `{"ok":true}` with status 200.
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APIGatewayClient, CreateDeploymentCommand, CreateRestApiCommand, PutIntegrationCommand, PutIntegrationResponseCommand, PutMethodCommand, PutMethodResponseCommand } from '@aws-sdk/client-api-gateway';
import { ApiGatewayV2Client, CreateApiCommand } from '@aws-sdk/client-apigatewayv2';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { strToU8, zipSync } from 'fflate';
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitHealthy } from '../targets/queue-stratus.js';
import { onCleanup, killPid } from './cleanup.js';
import { sleep, tail } from './proc.js';

const STRATUS_BIN = fileURLToPath(new URL('../../bin/stratus.js', import.meta.url));

/** The handler every target runs: trivial, so what is measured is the platform around it. */
export const HANDLER_SOURCE = "export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{\"ok\":true}' });\n";
const handler = async (): Promise<{ statusCode: number; headers: Record<string, string>; body: string }> => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });

const CREDS = { accessKeyId: 'AKIASTRATUSBENCHKEY1', secretAccessKey: 'c3RyYXR1cy1iZW5jaC1zZWNyZXQta2V5LTAwMDAwMA' };

export interface ApiTargets {
  /** Label → URL wrk loads. */
  urls: Record<string, string>;
  stop(): Promise<void>;
}

/** The floor: node:http calling the handler in this process. */
export async function startFloor(): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      void handler().then((r) => {
        res.writeHead(r.statusCode, r.headers);
        res.end(r.body);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function waitServing(url: string, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      const body = await r.text();
      if (r.status === 200 && body.includes('"ok"')) return;
      last = `${r.status} ${body.slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(200);
  }
  throw new Error(`${url} does not serve: ${last}`);
}

/** Starts `stratus start` and creates both APIs through the SDK; resolves once both answer 200. */
/** `profileDir`: the server writes a V8 CPU profile of its main thread there when it stops. */
export async function startStratus(grpcPort: number, httpPort: number, profileDir?: string): Promise<ApiTargets> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-apis-'));
  const logPath = join(dir, 'stratus.log');
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [...(profileDir !== undefined ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), STRATUS_BIN, 'start', '--data', join(dir, 'data'), '--http-port', String(httpPort), '--grpc-port', String(grpcPort)], {
    env: { ...process.env, STRATUS_ROOT_ACCESS_KEY_ID: CREDS.accessKeyId, STRATUS_ROOT_SECRET_ACCESS_KEY: CREDS.secretAccessKey },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  child.on('error', () => undefined);
  const pid = child.pid;
  const unregister = onCleanup(() => {
    killPid(pid);
    rmSync(dir, { recursive: true, force: true });
  });
  const node = {
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        killPid(pid);
      }
      unregister();
    },
  };
  await waitHealthy(`http://127.0.0.1:${httpPort}/health`, 60_000, () => (child.exitCode !== null || child.signalCode !== null ? `stratus start exited during start-up; log tail:\n${tail(logPath)}` : undefined));
  const endpoint = `http://127.0.0.1:${httpPort}`;
  const cfg = { endpoint, region: 'us-east-1', credentials: CREDS, maxAttempts: 1 };
  const lambda = new LambdaClient(cfg);
  const v1 = new APIGatewayClient(cfg);
  const v2 = new ApiGatewayV2Client(cfg);
  try {
    const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'bench-apis', Runtime: 'nodejs20.x', Role: 'arn:aws:iam::000000000000:role/bench', Handler: 'index.handler', Code: { ZipFile: zipSync({ 'index.mjs': strToU8(HANDLER_SOURCE) }) } }));
    // HTTP API, quick create: a $default route to the function (payload 2.0) on an auto-deployed $default stage.
    const http = await v2.send(new CreateApiCommand({ Name: 'bench-http', ProtocolType: 'HTTP', Target: fn.FunctionArn }));
    // REST API: GET / with a MOCK integration answering the same body.
    const rest = await v1.send(new CreateRestApiCommand({ name: 'bench-mock' }));
    const root = rest.rootResourceId!;
    await v1.send(new PutMethodCommand({ restApiId: rest.id, resourceId: root, httpMethod: 'GET', authorizationType: 'NONE' }));
    await v1.send(new PutIntegrationCommand({ restApiId: rest.id, resourceId: root, httpMethod: 'GET', type: 'MOCK', requestTemplates: { 'application/json': '{"statusCode": 200}' } }));
    await v1.send(new PutMethodResponseCommand({ restApiId: rest.id, resourceId: root, httpMethod: 'GET', statusCode: '200' }));
    await v1.send(new PutIntegrationResponseCommand({ restApiId: rest.id, resourceId: root, httpMethod: 'GET', statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } }));
    await v1.send(new CreateDeploymentCommand({ restApiId: rest.id, stageName: 'prod' }));
    const urls = {
      'Stratus HTTP API → Lambda proxy (2.0)': `${endpoint}/_api/${http.ApiId!}/`,
      'Stratus REST API → MOCK': `${endpoint}/_api/${rest.id!}/prod/`,
    };
    for (const url of Object.values(urls)) await waitServing(url, 30_000);
    return {
      urls,
      async stop() {
        lambda.destroy();
        v1.destroy();
        v2.destroy();
        await node.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    lambda.destroy();
    v1.destroy();
    v2.destroy();
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
