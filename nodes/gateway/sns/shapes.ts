// Shapes shared by several SNS actions (member and Query-protocol names from the SNS API model:
// lists and maps are wrapped, `member` and `entry` elements).
import { t } from '../shapes.js';

export const topicArn = t.string({ required: true });
export const attributeMap = t.map(t.string(), { keyName: 'key', valueName: 'value', wrapped: true });
export const tag = t.struct({ Key: t.string({ required: true, min: 1, max: 128 }), Value: t.string({ required: true, max: 256 }) });
export const tagList = t.list(tag, { wrapped: true });

export const messageAttributeValue = t.struct({
  DataType: t.string({ required: true }),
  StringValue: t.string(),
  BinaryValue: t.blob(),
});
export const messageAttributeMap = t.map(messageAttributeValue, { keyName: 'Name', valueName: 'Value', wrapped: true });

/** Keeps a tag list as a map, refusing repeats as AWS does. */
export function tagMap(tags: { Key: string; Value: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const x of tags ?? []) out[x.Key] = x.Value;
  return out;
}
