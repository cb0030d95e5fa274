import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type KinesisBackend } from '../backend.js';
import { empty, streamRef, tagKey, tagMap } from '../shapes.js';

export const addTagsToStream = defineAction<KinesisBackend>()({
  name: 'AddTagsToStream',
  input: t.struct({ ...streamRef, Tags: { ...tagMap, required: true } }),
  output: empty,
  async handler(input, ctx, k) {
    const n = Object.keys(input.Tags).length;
    // AWS: 1–10 tags per AddTagsToStream call.
    if (n < 1 || n > 10) throw new AwsError('ValidationException', `1 validation error detected: Value '${JSON.stringify(input.Tags)}' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 10`);
    const s = await k.resolve(input);
    await k.meta({ type: 'tagStream', name: s.name, account: ctx.accountId, tags: input.Tags });
    return {};
  },
});

export const removeTagsFromStream = defineAction<KinesisBackend>()({
  name: 'RemoveTagsFromStream',
  input: t.struct({ ...streamRef, TagKeys: { ...t.list(tagKey), required: true } }),
  output: empty,
  async handler(input, ctx, k) {
    if (input.TagKeys.length < 1 || input.TagKeys.length > 50) {
      throw new AwsError('ValidationException', "1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length between 1 and 50");
    }
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
