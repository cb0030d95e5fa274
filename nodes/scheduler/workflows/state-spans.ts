// A span per state of an execution, built from its history events: opened at the state's
// Entered event and closed at its Exited one (with the events' own times), under the
// execution's span. Task calls run inside their state's span, so they are its children.
import { type Span, context as otelContext, trace } from '@opentelemetry/api';
import { type HistoryEvent } from '../../../workflows/engine/types.js';
import { Attr, SpanName, startSpan } from '../../telemetry/index.js';

export class StateSpans {
  /** Open spans by state name (a Map's iterations may hold several of one name). */
  private readonly open = new Map<string, Span[]>();

  constructor(
    private readonly execution: Span,
    private readonly executionArn: string,
  ) {}

  observe(events: HistoryEvent[]): void {
    for (const ev of events) {
      const name = ev.details?.value.name;
      if (typeof name !== 'string') continue;
      if (ev.type.endsWith('StateEntered')) {
        const span = startSpan(SpanName.WorkflowState, {
          parent: trace.setSpan(otelContext.active(), this.execution),
          startTime: ev.timestamp,
          attributes: { [Attr.StateName]: name, [Attr.StateType]: ev.type.slice(0, -'StateEntered'.length), [Attr.ExecutionArn]: this.executionArn },
        });
        const list = this.open.get(name);
        if (list) list.push(span);
        else this.open.set(name, [span]);
      } else if (ev.type.endsWith('StateExited')) {
        const list = this.open.get(name);
        list?.shift()?.end(ev.timestamp);
        if (list?.length === 0) this.open.delete(name);
      }
    }
  }

  /** The innermost open span of a state (a task's parent). */
  of(state: string): Span | undefined {
    const list = this.open.get(state);
    return list?.[list.length - 1];
  }

  /** Ends what is still open (the execution closed or left this host). */
  closeAll(): void {
    for (const spans of this.open.values()) for (const s of spans) s.end();
    this.open.clear();
  }
}
