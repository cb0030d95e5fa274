import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES } from '../code.js';

export const getAccountSettings = defineAction<LambdaBackend>()({
  name: 'GetAccountSettings',
  http: { method: 'GET', uri: '/2016-08-19/account-settings' },
  input: t.struct({}),
  output: t.struct({
    AccountLimit: t.struct({
      TotalCodeSize: t.integer(),
      CodeSizeUnzipped: t.integer(),
      CodeSizeZipped: t.integer(),
      ConcurrentExecutions: t.integer(),
      UnreservedConcurrentExecutions: t.integer(),
    }),
    AccountUsage: t.struct({ TotalCodeSize: t.integer(), FunctionCount: t.integer() }),
  }),
  async handler(_input, _ctx, lambda) {
    const usage = await lambda.catalog.usage();
    return {
      AccountLimit: {
        TotalCodeSize: lambda.opts.codeStorageBytes,
        CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
        CodeSizeZipped: MAX_ZIPPED_BYTES,
        ConcurrentExecutions: lambda.opts.accountConcurrency,
        UnreservedConcurrentExecutions: lambda.opts.accountConcurrency - usage.reservedConcurrency,
      },
      AccountUsage: { TotalCodeSize: usage.codeBytes, FunctionCount: usage.functions },
    };
  },
});
