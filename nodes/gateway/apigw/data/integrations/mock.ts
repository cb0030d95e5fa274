// MOCK integrations: no backend; the request template's output names the status
// (`{"statusCode": 200}`) that selects the integration response, whose template writes the body.

/** The status a MOCK request template's output asks for; AWS answers 200 when it names none. */
export function mockStatus(output: string): number {
  try {
    const v = JSON.parse(output) as unknown;
    if (typeof v === 'object' && v !== null && 'statusCode' in v) {
      const n = Number(v.statusCode);
      if (Number.isInteger(n) && n >= 100 && n <= 599) return n;
    }
  } catch {
    // Not JSON: nothing named.
  }
  return 200;
}
