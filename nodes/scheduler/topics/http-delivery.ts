/**
 * HTTP/S delivery of SNS messages: one POST with SNS's headers, and the retry loop a delivery policy drives.
 *
 * What counts as failure (awsdocs/amazon-sns-developer-guide doc_source/DeliveryPolicies.md): statuses 100–101 and
 * 500–599, a request timeout (15 s), and any connection error are retried; 400–499 are a permanent failure and are
 * not retried. The delay after a timeout runs from when the attempt gave up ("if the retry interval is 20 seconds and
 * a request times out, the start of the next request is 35 seconds after the start of the request that timed out").
 * 2xx is success. 3xx is neither in AWS's retry list nor a success (SNS does not follow redirects), so it is treated
 * as permanent: a redirecting endpoint will not stop redirecting within the retry window.
 *
 * Headers: https://docs.aws.amazon.com/sns/latest/dg/http-header.html and the confirmation examples in
 * doc_source/sns-message-and-json-formats.md (the SubscriptionConfirmation example has no subscription ARN header;
 * the UnsubscribeConfirmation one does). Raw delivery adds `x-amz-sns-rawdelivery: true`
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { sleep as abortableSleep } from '../../sleep.js';

export interface HttpRequestSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpAttempt {
  ok: boolean;
  status?: number;
  error?: string;
  /** Set when retrying cannot help (4xx, 3xx, an unusable URL): the retry loop stops. */
  permanent?: true;
}

export const SNS_HTTP_TIMEOUT_MS = 15_000;
export const SNS_USER_AGENT = 'Amazon Simple Notification Service Agent';

function classify(status: number): HttpAttempt {
  if (status >= 200 && status < 300) return { ok: true, status };
  if ((status >= 300 && status < 500) || status >= 600) return { ok: false, status, error: `HTTP ${status}`, permanent: true };
  return { ok: false, status, error: `HTTP ${status}` };
}

/**
 * One POST with a deadline covering connect, send and the whole response. Never rejects: every outcome, including
 * an abort, is an HttpAttempt so the retry loop has a single path.
 */
export function postOnce(req: HttpRequestSpec, timeoutMs: number, signal?: AbortSignal): Promise<HttpAttempt> {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return Promise.resolve({ ok: false, error: `invalid URL: ${req.url}`, permanent: true });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return Promise.resolve({ ok: false, error: `unsupported protocol: ${url.protocol}`, permanent: true });
  }
  if (signal?.aborted) return Promise.resolve({ ok: false, error: 'aborted' });

  const body = Buffer.from(req.body, 'utf8');
  // Credentials in the URL (https://user:pass@host, which SNS sends as Basic auth) need no code here: node:http
  // turns a URL's username and password into an Authorization header itself.
  const headers: Record<string, string> = { ...req.headers, 'Content-Length': String(body.length) };

  return new Promise<HttpAttempt>((resolve) => {
    let settled = false;
    const finish = (attempt: HttpAttempt): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(attempt);
    };

    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const r = send(url, { method: 'POST', headers }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      // The status alone decides the outcome, but the body is drained so the connection can be reused and an
      // endpoint that stalls mid-response still hits the deadline.
      res.on('error', (err) => finish({ ok: false, status, error: err.message }));
      res.on('end', () => finish(classify(status)));
      res.on('close', () => {
        if (!res.complete) finish({ ok: false, status, error: 'connection closed before the response ended' });
      });
      res.resume();
    });
    // A 101 never reaches the response callback; AWS lists 100–101 among the retried failures.
    r.on('upgrade', (_res, socket) => {
      socket.destroy();
      finish({ ok: false, status: 101, error: 'HTTP 101' });
    });

    const timer = setTimeout(() => {
      finish({ ok: false, error: `timed out after ${timeoutMs} ms` });
      r.destroy();
    }, timeoutMs);
    const onAbort = (): void => {
      finish({ ok: false, error: 'aborted' });
      r.destroy();
    };
    signal?.addEventListener('abort', onAbort, { once: true });

    r.on('error', (err) => finish({ ok: false, error: err.message }));
    r.end(body);
  });
}

export interface DeliveryResult {
  delivered: boolean;
  attempts: number;
  aborted: boolean;
  last: HttpAttempt;
}

const NEVER = new AbortController().signal;

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return abortableSleep(ms, signal ?? NEVER);
}

/**
 * The first attempt plus one retry per entry of `delaysMs` (see retryDelaysMs), waiting that long after each failure.
 * Stops at the first success, at a permanent failure, or when `signal` aborts (then aborted: true).
 */
export async function deliverWithRetries(
  req: HttpRequestSpec,
  delaysMs: number[],
  o: { sleep?: (ms: number, signal?: AbortSignal) => Promise<void>; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<DeliveryResult> {
  const sleep = o.sleep ?? defaultSleep;
  const timeoutMs = o.timeoutMs ?? SNS_HTTP_TIMEOUT_MS;
  let attempts = 0;
  let last: HttpAttempt = { ok: false, error: 'aborted' };
  for (let retry = 0; ; retry++) {
    if (o.signal?.aborted) return { delivered: false, attempts, aborted: true, last };
    attempts++;
    last = await postOnce(req, timeoutMs, o.signal);
    if (last.ok) return { delivered: true, attempts, aborted: false, last };
    if (o.signal?.aborted) return { delivered: false, attempts, aborted: true, last };
    const delay = delaysMs[retry];
    if (last.permanent || delay === undefined) return { delivered: false, attempts, aborted: false, last };
    await sleep(delay, o.signal);
  }
}

/**
 * SNS's headers for one POST, in the order AWS's examples show them. The subscription ARN goes on notifications and
 * unsubscribe confirmations only; `x-amz-sns-rawdelivery` only on raw notifications. `contentType` is the
 * effective requestPolicy.headerContentType, which applies to notifications; AWS's confirmation examples are
 * text/plain, so callers pass nothing for those.
 */
export function snsHeaders(o: {
  type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  messageId: string;
  topicArn: string;
  subscriptionArn?: string;
  raw?: boolean;
  contentType?: string;
}): Record<string, string> {
  const h: Record<string, string> = {
    'x-amz-sns-message-type': o.type,
    'x-amz-sns-message-id': o.messageId,
    'x-amz-sns-topic-arn': o.topicArn,
  };
  if (o.type !== 'SubscriptionConfirmation' && o.subscriptionArn !== undefined) {
    h['x-amz-sns-subscription-arn'] = o.subscriptionArn;
  }
  if (o.type === 'Notification' && o.raw) h['x-amz-sns-rawdelivery'] = 'true';
  h['Content-Type'] = o.contentType ?? 'text/plain; charset=UTF-8';
  h['User-Agent'] = SNS_USER_AGENT;
  return h;
}
