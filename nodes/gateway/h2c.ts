// One port for HTTP/1.1 and cleartext HTTP/2 with prior knowledge (h2c): the AWS SDK for
// JavaScript v3's NodeHttp2Handler (Kinesis's default) speaks HTTP/2 straight away to an http://
// endpoint, with no Upgrade and no ALPN to tell it apart, so each connection's first bytes decide:
// the HTTP/2 connection preface goes to a node:http2 server, anything else to node:http.
//
// The server is an http.Server (its keep-alive and request timeouts, listen/close/address and
// 'error' are the ones callers already use), which hands preface connections to an inner HTTP/2
// server. HTTP/2 requests reach the same handler as HTTP/1.1 ones, normalised here, once, to
// what the gateway reads from an IncomingMessage/ServerResponse:
// - `host`: HTTP/2 carries it as `:authority`, copied into `host` when absent;
// - `headersDistinct` (the SigV4 verifier's view): Http2ServerRequest has none; built from the
//   raw headers, without pseudo-headers (they are not headers a handler should see: function
//   URL events carry these headers; sigv4.ts reads a signed `:authority` from `host`);
// - connection-specific response headers (`connection`, `keep-alive`, `transfer-encoding`, ...)
//   are forbidden in HTTP/2 (RFC 9113 §8.2.2) and dropped; `connection: close`, which the
//   gateway sets when it answers without reading a body (413), becomes what HTTP/2 has for it:
//   once the answer is sent, a request body still arriving is refused with RST_STREAM(NO_ERROR)
//   (RFC 9113 §8.1).
import { type IncomingMessage, Server as HttpServer, type ServerResponse } from 'node:http';
import {
  Http2ServerRequest,
  Http2ServerResponse,
  type Http2Server,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
  type ServerHttp2Session,
  type ServerHttp2Stream,
  constants,
  createServer as createHttp2Server,
} from 'node:http2';
import type { Socket } from 'node:net';
import type { ReadableOptions } from 'node:stream';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

// RFC 9113 §8.2.2; `te` is allowed only as `trailers`.
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'http2-settings']);
const isConnectionSpecific = (name: string, value: unknown): boolean => {
  const n = name.trim().toLowerCase();
  return CONNECTION_SPECIFIC.has(n) || (n === 'te' && String(value).trim().toLowerCase() !== 'trailers');
};

// One client connection may carry this many requests at once (an HTTP/1.1 connection carries
// one); far above what SDK pools open, low enough that one connection cannot hold unbounded state.
const MAX_CONCURRENT_STREAMS = 256;

class GatewayHttp2Request extends Http2ServerRequest {
  private distinct: NodeJS.Dict<string[]> | undefined;

  constructor(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, options: ReadableOptions, rawHeaders: readonly string[]) {
    super(stream, headers, options, rawHeaders);
    const authority = headers[':authority'];
    if (headers.host === undefined && typeof authority === 'string') headers.host = authority;
  }

  /** As IncomingMessage's: every value of each header, by lowercase name. */
  get headersDistinct(): NodeJS.Dict<string[]> {
    if (this.distinct) return this.distinct;
    const out: NodeJS.Dict<string[]> = Object.create(null) as NodeJS.Dict<string[]>;
    const raw = this.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const name = raw[i]!.toLowerCase();
      if (name.startsWith(':')) continue;
      (out[name] ??= []).push(raw[i + 1]!);
    }
    const host = this.headers.host;
    if (out.host === undefined && typeof host === 'string') out.host = [host];
    return (this.distinct = out);
  }
}

class GatewayHttp2Response extends Http2ServerResponse<GatewayHttp2Request> {
  /** The handler asked to close the connection after this answer (a body it will not read). */
  abandonsBody = false;

  override setHeader(name: string, value: number | string | readonly string[]): void {
    if (isConnectionSpecific(name, value)) this.noteClose(name, value);
    else super.setHeader(name, value);
  }

  override appendHeader(name: string, value: string | string[]): void {
    if (isConnectionSpecific(name, value)) this.noteClose(name, value);
    else super.appendHeader(name, value);
  }

  // HTTP/2 has no reason phrase: a status message is dropped rather than warned about.
  override writeHead(statusCode: number, message?: string | OutgoingHttpHeaders, headers?: OutgoingHttpHeaders): this {
    const given = typeof message === 'string' ? headers : message;
    if (given === undefined) return super.writeHead(statusCode);
    const kept: OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(given)) {
      if (isConnectionSpecific(name, value)) this.noteClose(name, value);
      else kept[name] = value;
    }
    return super.writeHead(statusCode, kept);
  }

  private noteClose(name: string, value: unknown): void {
    if (name.trim().toLowerCase() === 'connection' && /\bclose\b/i.test(String(value))) this.abandonsBody = true;
  }
}

export interface H2cServerOptions {
  /** Longest wait for a new connection's first bytes (default: the server's headersTimeout). */
  firstBytesTimeoutMs?: number;
}

/**
 * An http.Server that also serves HTTP/2 with prior knowledge on the same port. Idle HTTP/2
 * connections close after `keepAliveTimeout`, as idle HTTP/1.1 ones do; close() closes idle
 * connections of both kinds and lets requests under way finish.
 */
export class H2cServer extends HttpServer {
  private readonly h2: Http2Server<typeof IncomingMessage, typeof ServerResponse, typeof GatewayHttp2Request, typeof GatewayHttp2Response>;
  /** Open sessions and how many streams each has under way. */
  private readonly sessions = new Map<ServerHttp2Session, { open: number }>();
  private closing = false;

  constructor(handler: RequestHandler, private readonly opts: H2cServerOptions = {}) {
    super(handler);
    // http.Server serves every connection it accepts; the listener it installed for that now
    // serves only those that are not HTTP/2.
    const http1 = this.listeners('connection') as ((socket: Socket) => void)[];
    this.removeAllListeners('connection');
    this.h2 = createHttp2Server({
      settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS },
      Http2ServerRequest: GatewayHttp2Request,
      Http2ServerResponse: GatewayHttp2Response,
    });
    this.h2.on('request', (req: GatewayHttp2Request, res: GatewayHttp2Response) => {
      res.stream.once('finish', () => {
        // The answer is out: a body the handler gave up on would otherwise keep the stream open.
        if (res.abandonsBody && !res.stream.closed && !req.complete) res.stream.close(constants.NGHTTP2_NO_ERROR);
      });
      // The gateway reads only what both request classes have; see the header comment.
      handler(req as unknown as IncomingMessage, res as unknown as ServerResponse);
    });
    this.h2.on('session', (session: ServerHttp2Session) => this.track(session));
    this.on('connection', (socket: Socket) => this.sniff(socket, (s) => {
      for (const l of http1) l.call(this, s);
    }));
  }

  /** Reads until the bytes either are or cannot be the HTTP/2 preface, then hands the connection over. */
  private sniff(socket: Socket, http1: (socket: Socket) => void): void {
    let seen: Buffer = Buffer.alloc(0);
    const done = (): void => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      socket.off('timeout', onTimeout);
      socket.setTimeout(0);
    };
    const onData = (chunk: Buffer): void => {
      seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, PREFACE.length);
      const h2 = seen.subarray(0, n).equals(PREFACE.subarray(0, n));
      if (h2 && seen.length < PREFACE.length) return;
      done();
      // Paused with the bytes put back: whichever server takes the socket reads them first.
      socket.pause();
      socket.unshift(seen);
      if (h2) {
        // The session reads what is buffered itself, then takes over the socket.
        this.h2.emit('connection', socket);
      } else {
        http1(socket);
        socket.resume();
      }
    };
    // Before a server owns the socket, nothing else would handle these.
    const onError = (): void => {
      done();
      socket.destroy();
    };
    const onEnd = (): void => {
      done();
      socket.destroy();
    };
    const onTimeout = onEnd;
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('end', onEnd);
    socket.on('timeout', onTimeout);
    const wait = this.opts.firstBytesTimeoutMs ?? this.headersTimeout;
    if (wait > 0) socket.setTimeout(wait);
  }

  /** Closes a session once it has had no open stream for keepAliveTimeout. */
  private track(session: ServerHttp2Session): void {
    const state = { open: 0 };
    this.sessions.set(session, state);
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(timer);
      timer = undefined;
      if (this.keepAliveTimeout > 0) timer = setTimeout(() => session.close(), this.keepAliveTimeout).unref();
    };
    session.on('stream', (stream: ServerHttp2Stream) => {
      state.open++;
      clearTimeout(timer);
      timer = undefined;
      stream.once('close', () => {
        if (--state.open === 0) arm();
      });
    });
    session.once('close', () => {
      clearTimeout(timer);
      this.sessions.delete(session);
    });
    if (this.closing) session.close();
    else arm();
  }

  override close(callback?: (err?: Error) => void): this {
    this.closing = true;
    // GOAWAY: streams under way finish, then each session closes its socket.
    for (const s of this.sessions.keys()) s.close();
    return super.close(callback);
  }

  override closeAllConnections(): void {
    for (const s of this.sessions.keys()) s.destroy();
    super.closeAllConnections();
  }

  override closeIdleConnections(): void {
    for (const [s, state] of this.sessions) if (state.open === 0) s.close();
    super.closeIdleConnections();
  }
}
