import { defineAction } from '../../action.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { empty, streamRef, tagKey, tagKeyList, tagMap } from '../shapes.js';

export const addTagsToStream = defineAction<KinesisBackend>()({
  name: 'AddTagsToStream',
  input: t.struct({ ...streamRef, Tags: { ...tagMap, required: true } }),
  output: empty,
  async handler(input, ctx, k) {
    const s = await k.resolve(input);
    await k.meta({ type: 'tagStream', name: s.name, account: ctx.accountId, tags: input.Tags });
    return {};
  },
});

export const removeTagsFromStream = defineAction<KinesisBackend>()({
  name: 'RemoveTagsFromStream',
  input: t.struct({ ...streamRef, TagKeys: { ...tagKeyList, required: true } }),
  output: empty,
  async handler(input, ctx, k) {
    const s = await k.resolve(input);
    await k.meta({ type: 'untagStream', name: s.name, account: ctx.accountId, keys: input.TagKeys });
    return {};
  },
});

export const listTagsForStream = defineAction<KinesisBackend>()({
  name: 'ListTagsForStream',
  input: t.struct({ ...streamRef, ExclusiveStartTagKey: tagKey, Limit: t.integer({ min: 1, max: 50 }) }),
  output: t.struct({ Tags: t.list(t.struct({ Key: t.string(), Value: t.string() })), HasMoreTags: t.boolean() }),
  async handler(input, _ctx, k) {
    const s = await k.resolve(input);
    const limit = input.Limit ?? 50;
    const keys = Object.keys(s.tags).sort().filter((key) => input.ExclusiveStartTagKey === undefined || key > input.ExclusiveStartTagKey);
    const page = keys.slice(0, limit);
    return { Tags: page.map((key) => ({ Key: key, Value: s.tags[key]! })), HasMoreTags: keys.length > page.length };
  },
});
