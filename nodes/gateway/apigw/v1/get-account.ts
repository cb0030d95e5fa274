import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type ApigwBackend } from '../backend.js';
import { ACCOUNT_DOC, accountView, asAccountDoc } from './account.js';
import { accountShape } from './shapes.js';

export const getAccount = defineAction<ApigwBackend>()({
  name: 'GetAccount',
  http: { method: 'GET', uri: '/account' },
  input: t.struct({}),
  output: accountShape,
  async handler(_input, _ctx, backend) {
    return accountView(backend, (await backend.store.get('apimisc', ACCOUNT_DOC, asAccountDoc, 0)) ?? {});
  },
});
