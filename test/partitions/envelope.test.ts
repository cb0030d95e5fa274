import { describe, expect, it } from 'vitest';
import {
  CommandError,
  decodeCommand,
  decodeResult,
  encodeCommand,
  encodeResult,
  restampCommand,
} from '../../storage/partitions/envelope.js';

const body = new Uint8Array([1, 2, 3]);

describe('command envelope', () => {
  it('round-trips', () => {
    const cmd = { clientId: 'gateway-7é', seq: 2 ** 40 + 3, lowestUnacked: 2 ** 40, timestampMs: 1_700_000_000_123, op: 9, body };
    expect(decodeCommand(encodeCommand(cmd))).toEqual(cmd);
    const untracked = { clientId: 'c', seq: 7, timestampMs: 1, op: 1, body };
    expect(decodeCommand(encodeCommand(untracked))).toEqual({ ...untracked, lowestUnacked: 0 });
    expect(() => encodeCommand({ ...untracked, lowestUnacked: 8 })).toThrow(/lowestUnacked/);
  });

  it('rejects bad fields on encode and bad bytes on decode', () => {
    const ok = { clientId: 'c', seq: 1, timestampMs: 0, op: 1, body };
    expect(() => encodeCommand({ ...ok, clientId: '' })).toThrow(CommandError);
    expect(() => encodeCommand({ ...ok, clientId: 'x'.repeat(65) })).toThrow(/1-64 bytes/);
    expect(() => encodeCommand({ ...ok, seq: 0 })).toThrow(/positive safe integer/);
    expect(() => encodeCommand({ ...ok, seq: 1.5 })).toThrow(CommandError);
    expect(() => encodeCommand({ ...ok, timestampMs: -1 })).toThrow(/timestampMs/);
    expect(() => encodeCommand({ ...ok, op: 256 })).toThrow(/u8/);

    const bytes = encodeCommand(ok);
    expect(() => decodeCommand(bytes.subarray(0, 10))).toThrow(/truncated/);
    const wrongVersion = bytes.slice();
    wrongVersion[0] = 2;
    expect(() => decodeCommand(wrongVersion)).toThrow(/version 2/);
    const zeroSeq = bytes.slice();
    zeroSeq.fill(0, 4, 12);
    expect(() => decodeCommand(zeroSeq)).toThrow(/seq/);
    const badUtf8 = bytes.slice();
    badUtf8[3] = 0xff;
    expect(() => decodeCommand(badUtf8)).toThrow(/UTF-8/);
  });

  it('restamps the timestamp only', () => {
    const cmd = { clientId: 'abc', seq: 5, lowestUnacked: 4, timestampMs: 10, op: 3, body };
    const bytes = encodeCommand(cmd);
    const re = restampCommand(bytes, 1_700_000_000_000);
    expect(decodeCommand(re)).toEqual({ ...cmd, timestampMs: 1_700_000_000_000 });
    expect(decodeCommand(bytes).timestampMs).toBe(10);
    expect(() => restampCommand(new Uint8Array([1]), 5)).toThrow(CommandError);
  });
});

describe('result envelope', () => {
  it('round-trips ok and error results', () => {
    expect(decodeResult(encodeResult({ ok: true, body }))).toEqual({ ok: true, body });
    const err = { ok: false as const, code: 'SequenceTooOld' as const, message: 'seq 1 is too old' };
    expect(decodeResult(encodeResult(err))).toEqual(err);
    expect(() => decodeResult(new Uint8Array([1, 1, 200]))).toThrow(/unknown error code/);
    expect(() => decodeResult(new Uint8Array([1, 7]))).toThrow(/status/);
  });
});
