// Shapes shared by the Step Functions actions (member names and constraints from the SFN API
// model), and the conversions between the wire forms and the catalog's records.
import { type EncryptionConfiguration, type LoggingConfiguration, type TracingConfiguration } from '../../../storage/partitions/meta-workflow-codec.js';
import { type Infer, t } from '../shapes.js';
import { constrained } from '../kinesis/validation.js';

export const arn = t.string({ min: 1, max: 256 });
export const requiredArn = t.string({ required: true, min: 1, max: 256 });
export const name = t.string({ required: true, min: 1, max: 80 });
/** Epoch seconds with a fraction on the wire (JSON 1.0 timestamps). */
export const timestamp = t.double({ timestamp: true });
export const maxResults = t.integer({ min: 0, max: 1000 });
export const nextToken = t.string({ min: 1, max: 1024 });
export const definition = t.string({ min: 1, max: 1_048_576 });
export const versionDescription = t.string({ max: 256 });
export const stateMachineType = t.string({ enum: ['STANDARD', 'EXPRESS'] });

export const tag = t.struct({ key: t.string({ min: 1, max: 128 }), value: t.string({ max: 256 }) });
export const tagList = t.list(tag);

export const loggingConfiguration = t.struct({
  level: t.string({ enum: ['ALL', 'ERROR', 'FATAL', 'OFF'] }),
  includeExecutionData: t.boolean(),
  destinations: t.list(t.struct({ cloudWatchLogsLogGroup: t.struct({ logGroupArn: t.string({ min: 1, max: 256 }) }) })),
});
export const tracingConfiguration = t.struct({ enabled: t.boolean() });
export const encryptionConfiguration = t.struct({
  kmsKeyId: t.string({ min: 1, max: 2048 }),
  kmsDataKeyReusePeriodSeconds: t.integer({ min: 60, max: 900 }),
  type: t.string({ required: true, enum: ['AWS_OWNED_KEY', 'CUSTOMER_MANAGED_KMS_KEY'] }),
});

export const routingConfiguration = constrained(t.list(t.struct({ stateMachineVersionArn: requiredArn, weight: t.integer({ required: true, min: 0, max: 100 }) })), {
  minItems: 1,
  maxItems: 2,
});

export type TagInput = Infer<typeof tag>;
export type LoggingInput = Infer<typeof loggingConfiguration>;
export type EncryptionInput = Infer<typeof encryptionConfiguration>;

/** Seconds, as the wire carries timestamps. */
export const seconds = (ms: number): number => ms / 1000;

export function tagMap(tags: TagInput[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const x of tags ?? []) out[x.key ?? ''] = x.value ?? '';
  return out;
}

export function tagListOf(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function loggingOut(l: LoggingConfiguration): LoggingInput {
  return {
    level: l.level,
    includeExecutionData: l.includeExecutionData,
    ...(l.destinations.length > 0 ? { destinations: l.destinations.map((logGroupArn) => ({ cloudWatchLogsLogGroup: { logGroupArn } })) } : {}),
  };
}

export function tracingOut(tr: TracingConfiguration): { enabled: boolean } {
  return { enabled: tr.enabled };
}

export function encryptionOut(e: EncryptionConfiguration | undefined): EncryptionInput | undefined {
  return e ? { type: e.type, ...(e.kmsKeyId !== undefined ? { kmsKeyId: e.kmsKeyId } : {}), ...(e.kmsDataKeyReusePeriodSeconds !== undefined ? { kmsDataKeyReusePeriodSeconds: e.kmsDataKeyReusePeriodSeconds } : {}) } : undefined;
}
