// Choices the REST data plane makes around a non-proxy integration: which integration response
// answers (selection patterns) and which request template applies (Content-Type under the
// passthrough behaviour).

export interface SelectableResponse {
  statusCode: string;
  selectionPattern?: string;
}

const compiledPatterns = new Map<string, RegExp | null>();

/** A Java regex as a whole-string JavaScript one; null when it does not compile. */
function wholeMatch(pattern: string): RegExp | null {
  let re = compiledPatterns.get(pattern);
  if (re !== undefined) return re;
  try {
    // Java's `matches()` anchors both ends; `(?s)` is common in AWS examples and means dotAll.
    let src = pattern;
    let flags = '';
    if (src.startsWith('(?s)')) {
      src = src.slice(4);
      flags = 's';
    }
    re = new RegExp(`^(?:${src})$`, flags);
  } catch {
    re = null;
  }
  if (compiledPatterns.size > 1000) compiledPatterns.clear();
  compiledPatterns.set(pattern, re);
  return re;
}

/**
 * The integration response for `subject` (the Lambda error message, or the HTTP status code of an
 * HTTP/AWS integration). A response whose pattern matches the whole subject wins; otherwise the
 * default one (no or empty pattern). Undefined when none applies (AWS then answers 500 with an
 * "Internal server error": the pipeline decides).
 */
export function selectIntegrationResponse<T extends SelectableResponse>(responses: T[], subject: string): T | undefined {
  let fallback: T | undefined;
  for (const r of responses) {
    const pattern = r.selectionPattern;
    if (pattern === undefined || pattern === '') {
      fallback ??= r;
      continue;
    }
    // Java's `.` excludes line terminators: a multi-line error message needs `(?s)` or a class.
    if (wholeMatch(pattern)?.test(subject)) return r;
  }
  return fallback;
}

export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

export type TemplateChoice =
  | { kind: 'template'; contentType: string; template: string }
  | { kind: 'passthrough' }
  | { kind: 'unsupported' };

/** The media type of a Content-Type header, lower case without parameters; `application/json` when absent. */
export function contentMediaType(contentType: string | undefined): string {
  const t = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return t === '' ? 'application/json' : t;
}

/**
 * The request template for a Content-Type. WHEN_NO_MATCH passes unmatched bodies through;
 * WHEN_NO_TEMPLATES passes through only when no template is defined; NEVER never passes through.
 * `unsupported` means 415 UNSUPPORTED_MEDIA_TYPE. With no Content-Type, AWS uses application/json;
 * a WHEN_NO_TEMPLATES/NEVER method with templates but none matching falls back (as AWS) to the
 * application/json template only when the request had no Content-Type.
 */
export function selectRequestTemplate(
  templates: Record<string, string> | undefined,
  contentType: string | undefined,
  behavior: PassthroughBehavior = 'WHEN_NO_MATCH',
): TemplateChoice {
  const all = templates ?? {};
  const keys = Object.keys(all);
  const wanted = contentMediaType(contentType);
  const key = keys.find((k) => k.toLowerCase() === wanted);
  if (key !== undefined) return { kind: 'template', contentType: key, template: all[key]! };
  if (behavior === 'WHEN_NO_MATCH') return { kind: 'passthrough' };
  if (behavior === 'WHEN_NO_TEMPLATES' && keys.length === 0) return { kind: 'passthrough' };
  return { kind: 'unsupported' };
}

/**
 * The response template of an integration response for the client's Accept header: the matching
 * media type, else application/json, else the first one defined. Undefined = pass the body through.
 */
export function selectResponseTemplate(templates: Record<string, string> | undefined, accept: string | undefined): { contentType: string; template: string } | undefined {
  const all = templates ?? {};
  const keys = Object.keys(all);
  if (keys.length === 0) return undefined;
  const accepted = (accept ?? '').split(',').map((a) => a.split(';')[0]!.trim().toLowerCase()).filter((a) => a !== '' && a !== '*/*');
  for (const a of accepted) {
    const key = keys.find((k) => k.toLowerCase() === a);
    if (key !== undefined) return { contentType: key, template: all[key]! };
  }
  const key = keys.find((k) => k.toLowerCase() === 'application/json') ?? keys[0]!;
  return { contentType: key, template: all[key]! };
}
