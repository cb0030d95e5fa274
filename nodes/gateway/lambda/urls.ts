// Function URL configs: one per function or alias, each with a random 32-character id that names
// it on the data plane (url-front.ts). The document keeps the id, never the URL itself: the URL
// is built per response from the host and port the client used, so it is right however the
// gateway is reached.
import { randomInt } from 'node:crypto';
import { AwsError } from '../errors.js';
import { type Infer, check, t } from '../shapes.js';
import { type LambdaBackend } from './backend.js';
import { type FunctionDoc, type UrlDoc } from './model.js';
import { validation } from './policy.js';

export const corsShape = t.struct({
  AllowCredentials: t.boolean(),
  AllowHeaders: t.list(t.string()),
  AllowMethods: t.list(t.string()),
  AllowOrigins: t.list(t.string()),
  ExposeHeaders: t.list(t.string()),
  MaxAge: t.integer(),
});
export type Cors = Infer<typeof corsShape>;

export const urlConfigShape = t.struct({
  FunctionUrl: t.string(),
  FunctionArn: t.string(),
  AuthType: t.string(),
  Cors: corsShape,
  CreationTime: t.string(),
  LastModifiedTime: t.string(),
  InvokeMode: t.string(),
});
export type UrlConfigView = Infer<typeof urlConfigShape>;

/** Where the data plane is reached without a `<url-id>.lambda-url…` Host (see url-front.ts). */
export const URL_PATH_PREFIX = '/_lambda-url/';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A URL id as Lambda makes them: 32 lowercase letters and digits, from a CSPRNG (ids are unguessable names). */
export function newUrlId(): string {
  let id = '';
  for (let i = 0; i < 32; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}

/**
 * A URL config belongs to the unqualified function or to an alias: Lambda refuses versions and
 * $LATEST with this pattern error.
 */
export function checkUrlQualifier(qualifier: string | undefined): void {
  if (qualifier === undefined) return;
  if (qualifier === '$LATEST' || /^[0-9]+$/.test(qualifier) || !/^[0-9a-zA-Z-_]+$/.test(qualifier)) {
    throw validation(qualifier, 'qualifier', 'Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)');
  }
}

/** InvokeMode: only BUFFERED runs here; RESPONSE_STREAM needs a streaming runtime Stratus lacks. */
export function checkInvokeMode(mode: string): 'BUFFERED' {
  if (mode === 'BUFFERED') return mode;
  if (mode === 'RESPONSE_STREAM') {
    throw new AwsError('InvalidParameterValueException', 'InvokeMode RESPONSE_STREAM is not supported by Stratus: function URLs answer with buffered responses only. Use BUFFERED.');
  }
  throw validation(mode, 'invokeMode', 'Member must satisfy enum value set: [RESPONSE_STREAM, BUFFERED]');
}

function listLimit(values: string[] | undefined, member: string, maxItems: number, maxLength: number, minLength = 0): void {
  if (values === undefined) return;
  if (values.length > maxItems) throw validation(`[${values.join(', ')}]`, `cors.${member}`, `Member must have length less than or equal to ${maxItems}`);
  for (const v of values) {
    if (v.length > maxLength) throw validation(v, `cors.${member}.member`, `Member must have length less than or equal to ${maxLength}`);
    if (v.length < minLength) throw validation(v, `cors.${member}.member`, `Member must have length greater than or equal to ${minLength}`);
  }
}

/** The Cors limits of the Lambda model (6 methods of at most 6 characters, 100 origins and headers). */
export function checkCors(cors: Cors): Cors {
  listLimit(cors.AllowHeaders, 'allowHeaders', 100, 1024);
  listLimit(cors.AllowMethods, 'allowMethods', 6, 6);
  listLimit(cors.AllowOrigins, 'allowOrigins', 100, 253, 1);
  listLimit(cors.ExposeHeaders, 'exposeHeaders', 100, 1024);
  if (cors.MaxAge !== undefined && (cors.MaxAge < 0 || cors.MaxAge > 86_400)) {
    throw validation(String(cors.MaxAge), 'cors.maxAge', cors.MaxAge < 0 ? 'Member must have value greater than or equal to 0' : 'Member must have value less than or equal to 86400');
  }
  return cors;
}

/** A stored Cors value (written by checkCors above) read back as its shape. */
export function corsOf(u: UrlDoc): Cors | undefined {
  return u.cors === null ? undefined : check(corsShape, u.cors);
}

/**
 * The URL clients call: `http://<url-id>.lambda-url.<region>.localhost:<port>/`, the port being the
 * one the management call reached (taken from ctx.baseUrl, the request's Host). *.localhost
 * names resolve to the loopback address in browsers and curl; clients that cannot resolve them
 * use the path form `http://<host:port>/_lambda-url/<url-id>/` instead.
 */
export function functionUrl(baseUrl: string, urlId: string, region: string): string {
  let port = '';
  try {
    port = new URL(baseUrl).port;
  } catch {
    // An unparseable Host leaves the default port: the URL is still the right name.
  }
  return `http://${urlId}.lambda-url.${region}.localhost${port === '' ? '' : `:${port}`}/`;
}

/** The URL config as the Get/Update/List actions show it. */
export function urlView(lambda: LambdaBackend, baseUrl: string, fn: string, u: UrlDoc): UrlConfigView {
  const cors = corsOf(u);
  return {
    FunctionUrl: functionUrl(baseUrl, u.urlId, lambda.opts.region),
    FunctionArn: lambda.arn(fn, u.qualifier === '' ? undefined : u.qualifier),
    AuthType: u.authType,
    ...(cors ? { Cors: cors } : {}),
    CreationTime: u.created,
    LastModifiedTime: u.lastModified,
    InvokeMode: u.invokeMode,
  };
}

/** Lambda's answer whenever a URL config (or its function, for Get and Delete) is missing. */
export function noSuchResource(): AwsError {
  return new AwsError('ResourceNotFoundException', 'The resource you requested does not exist.');
}

/** Lambda's answer when Create, Update or List names a function or alias that does not exist. */
export function noSuchFunction(): AwsError {
  return new AwsError('ResourceNotFoundException', 'Function does not exist');
}

/** The alias a URL qualifier names must exist. */
export function checkAliasExists(doc: FunctionDoc, qualifier: string): void {
  if (qualifier !== '' && !doc.aliases.some((a) => a.name === qualifier)) throw noSuchFunction();
}

/** AWS stamps URL configs with ISO 8601 times. */
export function nowIso(): string {
  return new Date().toISOString();
}
