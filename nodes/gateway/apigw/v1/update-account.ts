import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { ACCOUNT_DOC, ACCOUNT_RULES, type AccountDoc, accountView, asAccountDoc } from './account.js';
import { applyPatch } from './patch.js';
import { accountShape, patchOperations } from './shapes.js';

export const updateAccount = defineAction<ApigwBackend>()({
  name: 'UpdateAccount',
  http: { method: 'PATCH', uri: '/account' },
  input: t.struct({ patchOperations }),
  output: accountShape,
  async handler(input, _ctx, backend) {
    const ops = input.patchOperations ?? [];
    // Validate before the first write, so a bad patch never creates the document.
    applyPatch<AccountDoc>({}, ops, ACCOUNT_RULES);
    const existing = await backend.store.get('apimisc', ACCOUNT_DOC, asAccountDoc, 0);
    if (!existing) {
      try {
        await backend.store.create('apimisc', ACCOUNT_DOC, {});
      } catch (err) {
        // Another gateway created it first: edit that one.
        if (!(err instanceof AwsError && err.code === 'ApigwConflictException')) throw err;
      }
    }
    const next = await backend.store.update('apimisc', ACCOUNT_DOC, asAccountDoc, () => new AwsError('ApigwNotFoundException', 'Account settings not found'), (doc) => applyPatch(doc, ops, ACCOUNT_RULES));
    return accountView(backend, next ?? {});
  },
});
