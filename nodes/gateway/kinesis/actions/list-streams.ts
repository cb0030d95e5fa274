import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { summaryOf } from '../describe.js';
import { decodeToken, encodeToken } from '../paging.js';
import { nextToken, streamModeDetails, streamName, streamStatus, timestamp } from '../shapes.js';

export const listStreams = defineAction<KinesisBackend>()({
  name: 'ListStreams',
  input: t.struct({ Limit: t.integer({ min: 1, max: 10000 }), ExclusiveStartStreamName: streamName, NextToken: nextToken }),
  output: t.struct({
    StreamNames: t.list(t.string()),
    HasMoreStreams: t.boolean(),
    NextToken: t.string(),
    StreamSummaries: t.list(t.struct({ StreamName: t.string(), StreamARN: t.string(), StreamStatus: streamStatus, StreamModeDetails: streamModeDetails, StreamCreationTimestamp: timestamp })),
  }),
  async handler(input, _ctx, k) {
    // AWS: 100 names per page by default, and at most 100 whatever Limit says.
    const limit = Math.min(input.Limit ?? 100, 100);
    const after = input.NextToken !== undefined ? decodeToken(input.NextToken, 'streams').after : input.ExclusiveStartStreamName;
    const all = (await k.all()).filter((s) => after === undefined || s.name > after);
    const page = all.slice(0, limit);
    const more = all.length > page.length;
    return {
      StreamNames: page.map((s) => s.name),
      HasMoreStreams: more,
      ...(more ? { NextToken: encodeToken('streams', page[page.length - 1]!.name) } : {}),
      StreamSummaries: page.map((s) => summaryOf(k, s)),
    };
  },
});
