// Every option check of nodes/options.ts, and the precedence flag > environment > default.
import { describe, expect, it } from 'vitest';
import { OptionError, parseNodeOptions } from '../../nodes/options.js';

const bad = (argv: string[], message: string, env: NodeJS.ProcessEnv = {}) => {
  expect(() => parseNodeOptions(argv, env)).toThrow(OptionError);
  expect(() => parseNodeOptions(argv, env)).toThrow(message);
};

describe('node options', () => {
  it('has documented defaults', () => {
    const o = parseNodeOptions([], {});
    expect(o).toMatchObject({ role: 'all', id: 1, data: './.stratus', host: '127.0.0.1', grpcPort: 50051, httpPort: 4566, tickMs: 100, electionTicks: 10, heartbeatTicks: 1, proposalTimeoutMs: 5000, snapshotEntries: 10_000, quiesce: true });
    expect(o.advertise).toBe('127.0.0.1:50051');
    expect([...o.peers]).toEqual([[1, '127.0.0.1:50051']]); // a lone storage node is its own cluster
  });

  it('takes flags over environment variables over defaults', () => {
    const env = { STRATUS_GRPC_PORT: '7000', STRATUS_TICK_MS: '40', STRATUS_QUIESCE: 'off' };
    expect(parseNodeOptions([], env)).toMatchObject({ grpcPort: 7000, tickMs: 40, quiesce: false });
    expect(parseNodeOptions(['--grpc-port', '7001', '--tick-ms=30'], env)).toMatchObject({ grpcPort: 7001, tickMs: 30 });
  });

  it('parses peers and the advertised address', () => {
    const o = parseNodeOptions(['--role', 'storage', '--id', '2', '--peers', '1=10.0.0.1:7101,2=10.0.0.2:7101', '--host', '0.0.0.0', '--grpc-port', '7101'], {});
    expect([...o.peers]).toEqual([[1, '10.0.0.1:7101'], [2, '10.0.0.2:7101']]);
    expect(o.advertise).toBe('127.0.0.1:7101');
    expect(parseNodeOptions(['--advertise', 'node-2:7101'], {}).advertise).toBe('node-2:7101');
  });

  it('rejects every bad value with the option named', () => {
    bad(['--nope', '1'], "unknown option '--nope'");
    bad(['--grpc-port'], '--grpc-port needs a value');
    bad(['--grpc-port', '0'], "--grpc-port: expected an integer from 1 to 65535, got '0'");
    bad(['--id', 'x'], "--id: expected an integer from 1 to 65535, got 'x'");
    bad(['--role', 'router'], "--role: expected storage, scheduler, gateway or all, got 'router'");
    bad(['--role', 'scheduler'], '--peers: a scheduler node needs the storage nodes to reach');
    bad(['--role', 'scheduler', '--peers', '1=s1:7000', '--advertise', 'sch1:50051', '--schedulers', 'sch2:50051'], "--schedulers: a scheduler must find itself in the list (its --advertise is sch1:50051), got 'sch2:50051'");
    bad(['--role', 'storage', '--schedulers', 'sch1:50051'], '--schedulers: storage nodes run no functions');
    bad(['--schedulers', 'a:1,a:1'], '--schedulers: a:1 is listed twice');
    bad(['--schedulers', 'nohost'], "--schedulers: expected host:port, got 'nohost'");
    bad(['--trace-rate', '1.5'], "--trace-rate: expected a number from 0 to 1, got '1.5'");
    bad(['--trace-rate', ''], "--trace-rate: expected a number from 0 to 1, got ''");
    bad(['--trace-reservoir', '-1'], "--trace-reservoir: expected an integer from 0 to 1000000, got '-1'");
    bad([], "OTEL_EXPORTER_OTLP_ENDPOINT: expected an http(s) URL like http://collector:4318, got 'grpc://x:4317'", { OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://x:4317' });
    bad(['--drain-timeout', '3601'], "--drain-timeout: expected an integer from 0 to 3600, got '3601'");
    bad(['--peers', '1=a:1,1=b:2'], '--peers: node id 1 is listed twice');
    bad(['--peers', 'a:1'], "--peers: expected id=host:port[,id=host:port...], got 'a:1'");
    bad(['--advertise', 'nohost'], "--advertise: expected host:port, got 'nohost'");
    bad(['--tick-ms', '1'], "--tick-ms: expected an integer from 5 to 10000, got '1'");
    bad(['--heartbeat-ticks', '10', '--election-ticks', '10'], '--heartbeat-ticks (10) must be less than --election-ticks (10)');
    bad(['--quiesce', 'maybe'], "--quiesce: expected on or off, got 'maybe'");
    bad(['--scheduler', 'maybe'], "--scheduler: expected on or off, got 'maybe'");
    bad(['--lambda-concurrency', '0'], "--lambda-concurrency: expected an integer from 1 to 1000000, got '0'");
    bad(['--lambda-retry-delay', '901'], "--lambda-retry-delay: expected an integer from 1 to 900, got '901'");
    bad(['--lambda-idle', 'soon'], "--lambda-idle: expected an integer from 1 to 86400, got 'soon'");
    bad(['--lambda-lease', '1'], "--lambda-lease: expected an integer from 2 to 43200, got '1'");
    bad(['--snapshot-entries', '5'], "--snapshot-entries: expected an integer from 10 to 10000000, got '5'");
    bad(['--role', 'gateway'], '--peers: a gateway node needs the storage nodes to reach');
    bad([], "STRATUS_HTTP_PORT: expected an integer from 0 to 65535, got '-1'", { STRATUS_HTTP_PORT: '-1' });
  });

  it('gives storage and scheduler nodes an HTTP port only when asked, and takes the scheduler list', () => {
    expect(parseNodeOptions(['--role', 'storage'], {}).httpPort).toBeUndefined();
    expect(parseNodeOptions(['--role', 'gateway', '--peers', '1=s1:7000'], {}).httpPort).toBe(4566);
    const s = parseNodeOptions([], { STRATUS_ROLE: 'scheduler', STRATUS_PEERS: '1=s1:7000', STRATUS_ADVERTISE: 'sch1:50051', STRATUS_SCHEDULERS: 'sch1:50051, sch2:50051', STRATUS_HTTP_PORT: '4566', STRATUS_TRACE_RATE: '0.5', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318' });
    expect(s).toMatchObject({ role: 'scheduler', httpPort: 4566, schedulers: ['sch1:50051', 'sch2:50051'], traceRate: 0.5, traceReservoir: 1, otlpEndpoint: 'http://otel:4318', drainTimeout: 20 });
  });

  it('limits a command to its own options', () => {
    expect(() => parseNodeOptions(['--role', 'storage'], {}, new Set(['data']))).toThrow("unknown option '--role'");
    // Environment variables of options the command does not take are ignored, not errors.
    expect(parseNodeOptions([], { STRATUS_ROLE: 'gateway' }, new Set(['data'])).role).toBe('all');
  });
});
