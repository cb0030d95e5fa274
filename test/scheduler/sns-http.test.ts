import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_HEALTHY_RETRY_POLICY,
  DeliveryPolicyError,
  type HealthyRetryPolicy,
  effectivePolicy,
  parseSubscriptionDeliveryPolicy,
  parseTopicDeliveryPolicy,
  retryDelaysMs,
} from '../../nodes/scheduler/topics/delivery-policy.js';
import { deliverWithRetries, postOnce, snsHeaders } from '../../nodes/scheduler/topics/http-delivery.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: Server[] = [];

afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
});

/** A local endpoint; `handle` answers request n (0-based). Returns its URL and what it received. */
async function endpoint(handle: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = received.length;
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      handle(n, req, res);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/sns/endpoint?x=1`, received };
}

function status(code: number) {
  return (_n: number, _req: IncomingMessage, res: ServerResponse): void => {
    res.statusCode = code;
    res.end('response body');
  };
}

/** An injected sleep that records the requested delays and returns at once. */
function recordingSleep(): { delays: number[]; sleep: (ms: number) => Promise<void> } {
  const delays: number[] = [];
  return { delays, sleep: async (ms: number) => void delays.push(ms) };
}

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:MyTopic';
const SUB = `${TOPIC}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55`;

describe('snsHeaders', () => {
  it('sends the SNS headers for a notification, in AWS order', () => {
    expect(snsHeaders({ type: 'Notification', messageId: 'm1', topicArn: TOPIC, subscriptionArn: SUB })).toEqual({
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': 'm1',
      'x-amz-sns-topic-arn': TOPIC,
      'x-amz-sns-subscription-arn': SUB,
      'Content-Type': 'text/plain; charset=UTF-8',
      'User-Agent': 'Amazon Simple Notification Service Agent',
    });
    expect(Object.keys(snsHeaders({ type: 'Notification', messageId: 'm1', topicArn: TOPIC, subscriptionArn: SUB, raw: true }))).toEqual([
      'x-amz-sns-message-type',
      'x-amz-sns-message-id',
      'x-amz-sns-topic-arn',
      'x-amz-sns-subscription-arn',
      'x-amz-sns-rawdelivery',
      'Content-Type',
      'User-Agent',
    ]);
  });

  it('leaves the subscription ARN off subscription confirmations only, and raw delivery off confirmations', () => {
    const sub = snsHeaders({ type: 'SubscriptionConfirmation', messageId: 'm', topicArn: TOPIC, subscriptionArn: SUB, raw: true });
    expect(sub).not.toHaveProperty('x-amz-sns-subscription-arn');
    expect(sub).not.toHaveProperty('x-amz-sns-rawdelivery');
    const unsub = snsHeaders({ type: 'UnsubscribeConfirmation', messageId: 'm', topicArn: TOPIC, subscriptionArn: SUB, raw: true });
    expect(unsub['x-amz-sns-subscription-arn']).toBe(SUB);
    expect(unsub).not.toHaveProperty('x-amz-sns-rawdelivery');
    expect(snsHeaders({ type: 'Notification', messageId: 'm', topicArn: TOPIC, contentType: 'application/json' })['Content-Type']).toBe(
      'application/json',
    );
  });
});

describe('postOnce', () => {
  it('POSTs the body with the SNS headers and succeeds on 2xx', async () => {
    const ep = await endpoint(status(204));
    const headers = snsHeaders({ type: 'Notification', messageId: 'm1', topicArn: TOPIC, subscriptionArn: SUB, raw: true });
    const body = '{"héllo":"wörld"}';
    const attempt = await postOnce({ url: ep.url, headers, body }, 2_000);
    expect(attempt).toEqual({ ok: true, status: 204 });
    expect(ep.received).toHaveLength(1);
    const got = ep.received[0];
    if (!got) throw new Error('nothing received');
    expect(got.method).toBe('POST');
    expect(got.url).toBe('/sns/endpoint?x=1');
    expect(got.body).toBe(body);
    expect(got.headers).toMatchObject({
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': 'm1',
      'x-amz-sns-topic-arn': TOPIC,
      'x-amz-sns-subscription-arn': SUB,
      'x-amz-sns-rawdelivery': 'true',
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
      'content-length': String(Buffer.byteLength(body)),
    });
  });

  it('sends URL credentials as Basic auth', async () => {
    const ep = await endpoint(status(200));
    const url = ep.url.replace('http://', 'http://user:p%40ss@');
    expect((await postOnce({ url, headers: {}, body: 'x' }, 2_000)).ok).toBe(true);
    expect(ep.received[0]?.headers.authorization).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  it('treats 5xx as retryable and 4xx/3xx as permanent', async () => {
    const codes = [500, 503, 404, 400, 301];
    const ep = await endpoint((n, _req, res) => {
      res.statusCode = codes[n] ?? 500;
      res.end();
    });
    const results = [];
    for (let i = 0; i < codes.length; i++) results.push(await postOnce({ url: ep.url, headers: {}, body: '' }, 2_000));
    expect(results.map((r) => [r.ok, r.status, r.permanent ?? false])).toEqual([
      [false, 500, false],
      [false, 503, false],
      [false, 404, true],
      [false, 400, true],
      [false, 301, true],
    ]);
  });

  it('gives up on an endpoint that never answers after timeoutMs', async () => {
    const ep = await endpoint(() => {
      /* never responds */
    });
    const started = Date.now();
    const attempt = await postOnce({ url: ep.url, headers: {}, body: 'x' }, 150);
    expect(attempt.ok).toBe(false);
    expect(attempt.error).toMatch(/timed out after 150 ms/);
    expect(attempt.permanent).toBeUndefined();
    expect(ep.received).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('times out an endpoint that sends headers then stalls the body', async () => {
    const ep = await endpoint((_n, _req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
    });
    const attempt = await postOnce({ url: ep.url, headers: {}, body: 'x' }, 150);
    expect(attempt.ok).toBe(false);
    expect(attempt.error).toMatch(/timed out/);
  });

  it('reports a refused connection as a retryable failure', async () => {
    const ep = await endpoint(status(200));
    const s = servers.pop();
    if (!s) throw new Error('no server');
    await new Promise<void>((resolve) => s.close(() => resolve()));
    const attempt = await postOnce({ url: ep.url, headers: {}, body: 'x' }, 2_000);
    expect(attempt.ok).toBe(false);
    expect(attempt.error).toMatch(/ECONNREFUSED/);
    expect(attempt.permanent).toBeUndefined();
  });

  it('refuses a URL it cannot deliver to without trying', async () => {
    expect(await postOnce({ url: 'not a url', headers: {}, body: '' }, 100)).toMatchObject({ ok: false, permanent: true });
    expect(await postOnce({ url: 'ftp://example.com/', headers: {}, body: '' }, 100)).toMatchObject({ ok: false, permanent: true });
  });
});

describe('deliverWithRetries', () => {
  it('retries an endpoint that fails twice and delivers on the third attempt', async () => {
    const ep = await endpoint((n, _req, res) => {
      res.statusCode = n < 2 ? 500 : 200;
      res.end();
    });
    const s = recordingSleep();
    const result = await deliverWithRetries({ url: ep.url, headers: {}, body: 'payload' }, [1_000, 2_000, 3_000], { sleep: s.sleep });
    expect(result).toEqual({ delivered: true, attempts: 3, aborted: false, last: { ok: true, status: 200 } });
    expect(s.delays).toEqual([1_000, 2_000]);
    expect(ep.received.map((r) => r.body)).toEqual(['payload', 'payload', 'payload']);
  });

  it('gives up after numRetries + 1 attempts against an endpoint that always fails', async () => {
    const ep = await endpoint(status(500));
    const s = recordingSleep();
    const delays = retryDelaysMs(DEFAULT_HEALTHY_RETRY_POLICY);
    const result = await deliverWithRetries({ url: ep.url, headers: {}, body: 'x' }, delays, { sleep: s.sleep });
    expect(result.delivered).toBe(false);
    expect(result.aborted).toBe(false);
    expect(result.attempts).toBe(DEFAULT_HEALTHY_RETRY_POLICY.numRetries + 1);
    expect(result.last).toMatchObject({ ok: false, status: 500 });
    expect(ep.received).toHaveLength(4);
    expect(s.delays).toEqual([20_000, 20_000, 20_000]);
  });

  it('does not retry a 4xx', async () => {
    const ep = await endpoint(status(403));
    const s = recordingSleep();
    const result = await deliverWithRetries({ url: ep.url, headers: {}, body: 'x' }, [1, 2, 3], { sleep: s.sleep });
    expect(result).toMatchObject({ delivered: false, attempts: 1, aborted: false, last: { status: 403, permanent: true } });
    expect(s.delays).toEqual([]);
    expect(ep.received).toHaveLength(1);
  });

  it('retries after a timeout', async () => {
    const ep = await endpoint((n, _req, res) => {
      if (n === 0) return; // first attempt hangs
      res.statusCode = 200;
      res.end();
    });
    const s = recordingSleep();
    const result = await deliverWithRetries({ url: ep.url, headers: {}, body: 'x' }, [5_000], { sleep: s.sleep, timeoutMs: 150 });
    expect(result).toMatchObject({ delivered: true, attempts: 2 });
    expect(s.delays).toEqual([5_000]);
  });

  it('stops when the signal aborts during the wait between attempts', async () => {
    const ep = await endpoint(status(500));
    const ac = new AbortController();
    const seen: Array<AbortSignal | undefined> = [];
    const result = await deliverWithRetries({ url: ep.url, headers: {}, body: 'x' }, [1_000, 1_000], {
      signal: ac.signal,
      sleep: async (_ms, signal) => {
        seen.push(signal);
        ac.abort();
      },
    });
    expect(result).toMatchObject({ delivered: false, aborted: true, attempts: 1 });
    expect(seen).toEqual([ac.signal]);
    expect(ep.received).toHaveLength(1);
  });

  it('stops when the signal aborts while a request is in flight', async () => {
    const ac = new AbortController();
    const ep = await endpoint(() => ac.abort()); // abort once the endpoint holds the request, never answer
    const s = recordingSleep();
    const result = await deliverWithRetries({ url: ep.url, headers: {}, body: 'x' }, [1_000], { sleep: s.sleep, signal: ac.signal });
    expect(result).toMatchObject({ delivered: false, aborted: true, attempts: 1, last: { ok: false, error: 'aborted' } });
    expect(s.delays).toEqual([]);
  });

  it('does nothing when the signal is already aborted', async () => {
    const ep = await endpoint(status(200));
    const ac = new AbortController();
    ac.abort();
    const result = await deliverWithRetries({ url: ep.url, headers: {}, body: 'x' }, [], { signal: ac.signal });
    expect(result).toMatchObject({ delivered: false, aborted: true, attempts: 0 });
    expect(ep.received).toHaveLength(0);
  });

  it('waits for real with the default sleep', async () => {
    const ep = await endpoint((n, _req, res) => {
      res.statusCode = n === 0 ? 500 : 200;
      res.end();
    });
    const started = Date.now();
    const result = await deliverWithRetries({ url: ep.url, headers: {}, body: 'x' }, [100]);
    expect(result).toMatchObject({ delivered: true, attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});

function rejection(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof DeliveryPolicyError) return e.message;
    throw e;
  }
  throw new Error('expected a DeliveryPolicyError');
}

// https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html#creating-delivery-policy
const AWS_EXAMPLE = {
  healthyRetryPolicy: {
    minDelayTarget: 1,
    maxDelayTarget: 60,
    numRetries: 50,
    numNoDelayRetries: 3,
    numMinDelayRetries: 2,
    numMaxDelayRetries: 35,
    backoffFunction: 'exponential',
  },
  throttlePolicy: { maxReceivesPerSecond: 10 },
};

function retry(over: Partial<HealthyRetryPolicy>): HealthyRetryPolicy {
  return { ...DEFAULT_HEALTHY_RETRY_POLICY, ...over };
}

describe('delivery policy parsing', () => {
  it("accepts AWS's subscription example", () => {
    const p = parseSubscriptionDeliveryPolicy(JSON.stringify(AWS_EXAMPLE));
    expect(p).toEqual({ healthyRetryPolicy: AWS_EXAMPLE.healthyRetryPolicy, throttlePolicy: { maxReceivesPerSecond: 10 } });
  });

  it("accepts AWS's topic format, with request policy and overrides flag", () => {
    const p = parseTopicDeliveryPolicy(
      JSON.stringify({
        http: {
          defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 10, numRetries: 6, numMaxDelayRetries: 0, backoffFunction: 'linear' },
          disableSubscriptionOverrides: true,
          defaultThrottlePolicy: { maxReceivesPerSecond: 3 },
          defaultRequestPolicy: { headerContentType: 'application/json' },
        },
      }),
    );
    expect(p).toEqual({
      defaultHealthyRetryPolicy: retry({ minDelayTarget: 5, maxDelayTarget: 10, numRetries: 6 }),
      disableSubscriptionOverrides: true,
      defaultThrottlePolicy: { maxReceivesPerSecond: 3 },
      defaultRequestPolicy: { headerContentType: 'application/json' },
    });
  });

  it('ignores null sections and retired keys that tools still send', () => {
    const p = parseSubscriptionDeliveryPolicy(
      JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3 }, sicklyRetryPolicy: null, throttlePolicy: null, guaranteed: false }),
    );
    expect(p).toEqual({ healthyRetryPolicy: retry({}) });
  });

  it('rejects bad policies with the AWS-style reason', () => {
    const sub = (hrp: Record<string, unknown>): string =>
      rejection(() => parseSubscriptionDeliveryPolicy(JSON.stringify({ healthyRetryPolicy: hrp })));
    const base = { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3 };
    expect(sub({ ...base, minDelayTarget: 0, maxDelayTarget: 0 })).toBe('healthyRetryPolicy.minDelayTarget must be greater than or equal to 1');
    expect(sub({ minDelayTarget: 1, numRetries: 3 })).toBe('healthyRetryPolicy.maxDelayTarget must be specified');
    expect(sub({ ...base, minDelayTarget: 30 })).toBe('healthyRetryPolicy.maxDelayTarget must be greater than or equal to minDelayTarget');
    expect(sub({ ...base, maxDelayTarget: 3601 })).toBe('healthyRetryPolicy.maxDelayTarget must be less than or equal to 3600');
    expect(sub({ ...base, numRetries: 101 })).toBe('healthyRetryPolicy.numRetries must be less than or equal to 100');
    expect(sub({ ...base, numNoDelayRetries: -1 })).toBe('healthyRetryPolicy.numNoDelayRetries must be greater than or equal to 0');
    expect(sub({ ...base, numNoDelayRetries: 2, numMinDelayRetries: 1, numMaxDelayRetries: 1 })).toBe(
      'healthyRetryPolicy.numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries and numMaxDelayRetries',
    );
    expect(sub({ ...base, backoffFunction: 'cubic' })).toBe(
      'healthyRetryPolicy.backoffFunction must be one of: arithmetic, exponential, geometric, linear',
    );
    expect(sub({ ...base, numRetries: 2.5 })).toBe('healthyRetryPolicy.numRetries must be an integer');
    expect(sub({ minDelayTarget: 3600, maxDelayTarget: 3600, numRetries: 2 })).toMatch(
      /^healthyRetryPolicy total retry time must be less than or equal to 3600 seconds/,
    );
    expect(rejection(() => parseSubscriptionDeliveryPolicy('{"throttlePolicy":{"maxReceivesPerSecond":0}}'))).toBe(
      'throttlePolicy.maxReceivesPerSecond must be greater than or equal to 1',
    );
    expect(rejection(() => parseSubscriptionDeliveryPolicy('{not json'))).toBe('policy is not valid JSON');
    expect(rejection(() => parseSubscriptionDeliveryPolicy('[]'))).toBe('policy must be a JSON object');
    expect(
      rejection(() => parseTopicDeliveryPolicy(JSON.stringify({ http: { defaultHealthyRetryPolicy: { ...base, numRetries: 101 } } }))),
    ).toBe('http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100');
    expect(rejection(() => parseTopicDeliveryPolicy('{"http":{"disableSubscriptionOverrides":"yes"}}'))).toBe(
      'http.disableSubscriptionOverrides must be a boolean',
    );
  });

  it('allows exactly one hour of total retry time', () => {
    expect(parseSubscriptionDeliveryPolicy(JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 1800, maxDelayTarget: 1800, numRetries: 2 } }))).toBeDefined();
  });
});

describe('effectivePolicy', () => {
  const subJson = JSON.stringify({ healthyRetryPolicy: { minDelayTarget: 1, maxDelayTarget: 2, numRetries: 1 } });
  const topicJson = (disable: boolean): string =>
    JSON.stringify({
      http: {
        defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 5, numRetries: 7 },
        disableSubscriptionOverrides: disable,
        defaultRequestPolicy: { headerContentType: 'application/json' },
      },
    });

  it("falls back to AWS's default HTTP policy", () => {
    expect(effectivePolicy(undefined, undefined)).toEqual({ healthyRetryPolicy: DEFAULT_HEALTHY_RETRY_POLICY, headerContentType: 'text/plain; charset=UTF-8' });
  });

  it('takes each section from the subscription, else the topic', () => {
    const eff = effectivePolicy(topicJson(false), subJson);
    expect(eff.healthyRetryPolicy).toEqual(retry({ minDelayTarget: 1, maxDelayTarget: 2, numRetries: 1 }));
    expect(eff.headerContentType).toBe('application/json');
    expect(eff.throttlePolicy).toBeUndefined();
    expect(effectivePolicy(topicJson(false), undefined).healthyRetryPolicy.numRetries).toBe(7);
  });

  it('ignores the subscription when the topic disables overrides', () => {
    expect(effectivePolicy(topicJson(true), subJson).healthyRetryPolicy.numRetries).toBe(7);
  });

  it('uses the subscription request and throttle policies over the topic', () => {
    const eff = effectivePolicy(
      topicJson(false),
      JSON.stringify({ requestPolicy: { headerContentType: 'application/xml' }, throttlePolicy: { maxReceivesPerSecond: 4 } }),
    );
    expect(eff).toEqual({ healthyRetryPolicy: retry({ minDelayTarget: 5, maxDelayTarget: 5, numRetries: 7 }), headerContentType: 'application/xml', throttlePolicy: { maxReceivesPerSecond: 4 } });
  });
});

describe('retryDelaysMs', () => {
  it('default policy: three retries 20 s apart', () => {
    expect(retryDelaysMs(DEFAULT_HEALTHY_RETRY_POLICY)).toEqual([20_000, 20_000, 20_000]);
    expect(retryDelaysMs(effectivePolicy(undefined, undefined))).toEqual([20_000, 20_000, 20_000]);
  });

  it("linear 20→40 s over 3 retries gives AWS's documented 20, 30, 40", () => {
    expect(retryDelaysMs(retry({ minDelayTarget: 20, maxDelayTarget: 40 }))).toEqual([20_000, 30_000, 40_000]);
  });

  it("runs AWS's example through its four phases", () => {
    const delays = retryDelaysMs(parseSubscriptionDeliveryPolicy(JSON.stringify(AWS_EXAMPLE)).healthyRetryPolicy ?? DEFAULT_HEALTHY_RETRY_POLICY);
    expect(delays).toHaveLength(50);
    expect(delays.slice(0, 3)).toEqual([0, 0, 0]);
    expect(delays.slice(3, 5)).toEqual([1_000, 1_000]);
    const backoff = delays.slice(5, 15);
    expect(backoff[0]).toBe(1_000);
    expect(backoff[9]).toBe(60_000);
    expect(delays.slice(15)).toEqual(Array.from({ length: 35 }, () => 60_000));
  });

  it('every backoff function climbs from minDelayTarget to maxDelayTarget, in the order of the AWS graph', () => {
    // The graph's parameters: 10 retries, 5 s minimum, 260 s maximum.
    const curve = (backoffFunction: HealthyRetryPolicy['backoffFunction']): number[] =>
      retryDelaysMs(retry({ minDelayTarget: 5, maxDelayTarget: 260, numRetries: 10, backoffFunction }));
    const curves = { linear: curve('linear'), arithmetic: curve('arithmetic'), geometric: curve('geometric'), exponential: curve('exponential') };
    for (const c of Object.values(curves)) {
      expect(c).toHaveLength(10);
      expect(c[0]).toBe(5_000);
      expect(c[9]).toBe(260_000);
      for (let i = 1; i < c.length; i++) expect(c[i]).toBeGreaterThan(c[i - 1] ?? Infinity);
    }
    expect(curves.linear[1]).toBe(33_333);
    for (let i = 1; i < 9; i++) {
      expect(curves.linear[i]).toBeGreaterThan(curves.arithmetic[i] ?? Infinity);
      expect(curves.arithmetic[i]).toBeGreaterThan(curves.geometric[i] ?? Infinity);
      expect(curves.geometric[i]).toBeGreaterThan(curves.exponential[i] ?? Infinity);
    }
  });

  it('a single backoff retry waits minDelayTarget; equal bounds give a flat schedule', () => {
    expect(retryDelaysMs(retry({ minDelayTarget: 7, maxDelayTarget: 9, numRetries: 1, backoffFunction: 'exponential' }))).toEqual([7_000]);
    expect(retryDelaysMs(retry({ minDelayTarget: 9, maxDelayTarget: 9, numRetries: 4, backoffFunction: 'geometric' }))).toEqual([
      9_000, 9_000, 9_000, 9_000,
    ]);
    expect(retryDelaysMs(retry({ numRetries: 0 }))).toEqual([]);
  });
});
