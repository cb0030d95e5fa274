// Shapes shared by several SQS actions (member and Query-protocol names from the SQS API model).
import { t } from '../shapes.js';

export const queueUrl = t.string({ required: true });
export const attributeMap = t.map(t.string(), { queryName: 'Attribute' });
export const tagMap = t.map(t.string(), { queryName: 'Tag', keyName: 'Key', valueName: 'Value' });

export const messageAttributeValue = t.struct({
  StringValue: t.string(),
  BinaryValue: t.blob(),
  StringListValues: t.list(t.string(), { queryName: 'StringListValue' }),
  BinaryListValues: t.list(t.blob(), { queryName: 'BinaryListValue' }),
  DataType: t.string({ required: true }),
});
export const messageAttributeMap = t.map(messageAttributeValue, { queryName: 'MessageAttribute' });
export const systemAttributeMap = t.map(messageAttributeValue, { queryName: 'MessageSystemAttribute' });

export const batchErrorEntry = t.struct({
  Id: t.string(),
  SenderFault: t.boolean(),
  Code: t.string(),
  Message: t.string(),
});
export const failedList = t.list(batchErrorEntry, { queryName: 'BatchResultErrorEntry' });
