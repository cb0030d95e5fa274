// What a committed step looks like in the workflow group: the state, the step's events, the
// inbox items it answered, the callbacks it may now take, and the result once it closed.
import { type CloseInput, type TransitionItem } from '../../../storage/partitions/workflow-codec.js';
import { type ExecutionState, type Step } from '../../../workflows/engine/types.js';

export function transitionItem(name: string, version: number, step: Step, consumed: number[]): TransitionItem {
  const st = step.state;
  return {
    name,
    version,
    state: JSON.stringify(st),
    events: step.events,
    consumeInbox: consumed,
    openTokens: st.openTasks.map((t) => t.id),
    ...closeOf(st),
  };
}

function closeOf(st: ExecutionState): { close?: CloseInput } {
  const status = st.status;
  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return {};
  return { close: { status, ...(st.output !== undefined ? { output: JSON.stringify(st.output) } : {}), ...(st.error !== undefined ? { error: st.error } : {}), ...(st.cause !== undefined ? { cause: st.cause } : {}) } };
}
