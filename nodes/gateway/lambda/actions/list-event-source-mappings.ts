import { defineAction } from '../../action.js';
import { AwsError } from '../../errors.js';
import { t } from '../../shapes.js';
import { type LambdaBackend } from '../backend.js';
import { type FunctionId } from '../names.js';
import { type MappingDoc, mappingConfiguration, mappingView, scanMappings, settledState } from '../mappings.js';
import { decodeMarker, encodeMarker } from '../paging.js';
import { markerQuery } from '../shapes.js';

/** AWS: "returns a maximum of 100 items in each response, even if you set the number higher". */
const PAGE_MAX = 100;

export const listEventSourceMappings = defineAction<LambdaBackend>()({
  name: 'ListEventSourceMappings',
  http: { method: 'GET', uri: '/2015-03-31/event-source-mappings' },
  input: t.struct({
    EventSourceArn: t.string({ location: 'querystring', locationName: 'EventSourceArn' }),
    FunctionName: t.string({ location: 'querystring', locationName: 'FunctionName' }),
    Marker: markerQuery,
    MaxItems: t.integer({ location: 'querystring', locationName: 'MaxItems' }),
  }),
  output: t.struct({ NextMarker: t.string(), EventSourceMappings: t.list(mappingConfiguration) }),
  async handler(input, ctx, lambda) {
    const max = input.MaxItems;
    if (max !== undefined && (max < 1 || max > 10_000)) {
      const bound = max < 1 ? 'greater than or equal to 1' : 'less than or equal to 10000';
      throw new AwsError('ValidationException', `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value ${bound}`);
    }
    let matches = (m: MappingDoc): boolean => input.EventSourceArn === undefined || m.eventSourceArn === input.EventSourceArn;
    if (input.FunctionName !== undefined) {
      let id: FunctionId;
      try {
        id = lambda.id(input.FunctionName, undefined, ctx);
      } catch (err) {
        // A function of another account or region has no mappings here.
        if (err instanceof AwsError && err.code === 'ResourceNotFoundException') return { EventSourceMappings: [] };
        throw err;
      }
      const bySource = matches;
      const arn = lambda.arn(id.name, id.qualifier);
      // A bare name lists the mappings of every version and alias; a qualified one, that qualifier's.
      matches = (m) => bySource(m) && (id.qualifier === undefined ? m.functionName === id.name : m.functionArn === arn);
    }
    const after = input.Marker === undefined ? undefined : decodeMarker(input.Marker);
    const limit = Math.min(max ?? PAGE_MAX, PAGE_MAX);
    const page: MappingDoc[] = [];
    let more = false;
    for await (const m of scanMappings(lambda, after)) {
      if (!matches(m.doc)) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(m.doc);
    }
    return {
      EventSourceMappings: page.map((m) => mappingView(m, settledState(m), lambda.opts)),
      ...(more ? { NextMarker: encodeMarker(page[page.length - 1]!.uuid) } : {}),
    };
  },
});
