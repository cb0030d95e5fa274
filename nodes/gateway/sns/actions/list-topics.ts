import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type SnsBackend } from '../backend.js';
import { decodeToken, encodeToken } from '../paging.js';

/** AWS: ListTopics pages by 100. */
const PAGE = 100;

export const listTopics = defineAction<SnsBackend>()({
  name: 'ListTopics',
  input: t.struct({ NextToken: t.string() }),
  output: t.struct({ Topics: t.list(t.struct({ TopicArn: t.string() }), { wrapped: true }), NextToken: t.string() }),
  async handler(input, _ctx, sns) {
    const after = input.NextToken === undefined ? undefined : decodeToken(input.NextToken);
    const names = (await sns.topics()).map((x) => x.name).filter((n) => after === undefined || n > after);
    const page = names.slice(0, PAGE);
    return { Topics: page.map((n) => ({ TopicArn: sns.topicArn(n) })), ...(names.length > PAGE ? { NextToken: encodeToken(page[page.length - 1]!) } : {}) };
  },
});
