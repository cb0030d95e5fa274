import { BlobStateMachine } from './blob.js';
import { type DedupOptions } from './dedup.js';
import { type PartitionKind, type PartitionStateMachine } from './kind.js';
import { LogStateMachine } from './log.js';
import { MetaStateMachine } from './meta.js';
import { QueueStateMachine } from './queue.js';
import { StreamStateMachine } from './stream.js';
import { TopicStateMachine } from './topic.js';
import { WorkflowStateMachine } from './workflow.js';

export * from './kind.js';
export * from './envelope.js';
export * from './dedup.js';
export * from './log.js';
export * from './meta.js';

export interface StateMachineOptions {
  dedup?: DedupOptions;
}

export function createStateMachine(kind: PartitionKind, opts: StateMachineOptions = {}): PartitionStateMachine {
  switch (kind) {
    case 'log':
      return new LogStateMachine(opts);
    case 'meta':
      return new MetaStateMachine(opts);
    case 'queue':
      return new QueueStateMachine(opts);
    case 'blob':
      return new BlobStateMachine(opts);
    case 'stream':
      return new StreamStateMachine(opts);
    case 'topic':
      return new TopicStateMachine(opts);
    case 'workflow':
      return new WorkflowStateMachine(opts);
  }
}
