// AWS X-Ray's trace header, `X-Amzn-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1`,
// mapped onto OpenTelemetry ids: the root's 8 hex digits of epoch seconds and 24 random hex
// digits are the 128-bit trace id; Parent is the 64-bit span id. So a trace keeps one id whether
// a client, a handler or a collector names it.

export interface XRayHeader {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits, when the header names a parent. */
  parentId?: string;
  /** The upstream sampling decision; undefined when the header leaves it to us (`Sampled=?` or absent). */
  sampled?: boolean;
}

const ROOT = /^1-([0-9a-fA-F]{8})-([0-9a-fA-F]{24})$/;
const SPAN = /^[0-9a-fA-F]{16}$/;

/** Parses the header; undefined when it has no valid Root (AWS then starts a new trace). */
export function parseXRayHeader(header: string | undefined): XRayHeader | undefined {
  if (header === undefined) return undefined;
  let root: string | undefined;
  let parent: string | undefined;
  let sampled: boolean | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 'Root') root = value;
    else if (key === 'Parent') parent = value;
    else if (key === 'Sampled') sampled = value === '1' ? true : value === '0' ? false : undefined;
  }
  const m = root === undefined ? null : ROOT.exec(root);
  if (!m) return undefined;
  const traceId = `${m[1]}${m[2]}`.toLowerCase();
  if (/^0+$/.test(traceId)) return undefined;
  return {
    traceId,
    ...(parent !== undefined && SPAN.test(parent) && !/^0+$/.test(parent) ? { parentId: parent.toLowerCase() } : {}),
    ...(sampled !== undefined ? { sampled } : {}),
  };
}

/** `1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy` for a 32-hex-digit trace id. */
export function xrayRoot(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/** The header as Lambda hands it to a handler (`_X_AMZN_TRACE_ID`) and as the gateway returns it. */
export function formatXRayHeader(traceId: string, parentId: string | undefined, sampled: boolean): string {
  return `Root=${xrayRoot(traceId)}${parentId !== undefined ? `;Parent=${parentId}` : ''};Sampled=${sampled ? 1 : 0}`;
}
