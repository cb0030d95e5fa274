// Encryption settings are recorded and reported; records are not encrypted at rest by them
// (Stratus has no KMS), as docs/ARCHITECTURE.md says.
import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { empty, encryptionType, keyId, streamRef } from '../shapes.js';

const input = t.struct({ ...streamRef, EncryptionType: { ...encryptionType, required: true }, KeyId: { ...keyId, required: true } });

export const startStreamEncryption = defineAction<KinesisBackend>()({
  name: 'StartStreamEncryption',
  input,
  output: empty,
  async handler(i, ctx, k) {
    const s = await k.resolve(i);
    await k.meta({ type: 'setEncryption', name: s.name, account: ctx.accountId, encryption: i.EncryptionType === 'KMS' ? 'KMS' : 'NONE', keyId: i.KeyId });
    return {};
  },
});

export const stopStreamEncryption = defineAction<KinesisBackend>()({
  name: 'StopStreamEncryption',
  input,
  output: empty,
  async handler(i, ctx, k) {
    const s = await k.resolve(i);
    await k.meta({ type: 'setEncryption', name: s.name, account: ctx.accountId, encryption: 'NONE' });
    return {};
  },
});
