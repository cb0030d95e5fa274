import { defineAction } from '../../../action.js';
import { AwsError } from '../../../errors.js';
import { withModelChecks } from '../../../kinesis/validation.js';
import { t } from '../../../shapes.js';
import { type HistoryEvent } from '../../../../../storage/partitions/workflow-codec.js';
import { type SfnBackend } from '../../backend.js';
import { maxResults, nextToken, requiredArn, seconds } from '../../shapes.js';
import { DATA_MEMBERS, historyEvent } from './history-shapes.js';

const DEFAULT_PAGE = 100;

export const getExecutionHistory = withModelChecks(
  defineAction<SfnBackend>()({
    name: 'GetExecutionHistory',
    input: t.struct({ executionArn: requiredArn, maxResults, reverseOrder: t.boolean(), nextToken, includeExecutionData: t.boolean() }),
    output: t.struct({ events: t.list(historyEvent), nextToken }),
    async handler(input, _ctx, sfn) {
      const { group, d } = await sfn.executions.describe(input.executionArn);
      let afterId: number | undefined;
      if (input.nextToken !== undefined) {
        const m = /^h(\d+)$/.exec(Buffer.from(input.nextToken, 'base64url').toString('utf8'));
        if (!m) throw new AwsError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
        afterId = Number(m[1]);
      }
      const reverse = input.reverseOrder === true;
      const page = await group.history(d.name, reverse, afterId, input.maxResults || DEFAULT_PAGE);
      const withData = input.includeExecutionData !== false;
      const last = page.items[page.items.length - 1];
      return {
        events: page.items.map((e) => toWire(e, withData)),
        ...(page.next !== undefined && last ? { nextToken: Buffer.from(`h${last.id}`, 'utf8').toString('base64url') } : {}),
      };
    },
  }),
);

function toWire(e: HistoryEvent, withData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { timestamp: seconds(e.timestamp), type: e.type, id: e.id, previousEventId: e.previousEventId };
  if (e.details) out[e.details.key] = withData ? e.details.value : Object.fromEntries(Object.entries(e.details.value).filter(([k]) => !DATA_MEMBERS.has(k)));
  return out;
}
