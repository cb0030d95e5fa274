// Layers: versioned packages a function mounts under /opt; a layer's nodejs/node_modules
// resolves for the function (nodes/scheduler/code-cache.ts lays them out).
import { type Infer, t } from '../shapes.js';
import { type LambdaBackend } from './backend.js';
import { type LayerVersionDoc } from './model.js';
import { layerArn } from './names.js';

export const layerVersionShape = t.struct({
  Content: t.struct({ Location: t.string(), CodeSha256: t.string(), CodeSize: t.integer() }),
  LayerArn: t.string(),
  LayerVersionArn: t.string(),
  Description: t.string(),
  CreatedDate: t.string(),
  Version: t.integer(),
  CompatibleRuntimes: t.list(t.string()),
  LicenseInfo: t.string(),
  CompatibleArchitectures: t.list(t.string()),
});

export const layerVersionsListItem = t.struct({
  LayerVersionArn: t.string(),
  Version: t.integer(),
  Description: t.string(),
  CreatedDate: t.string(),
  CompatibleRuntimes: t.list(t.string()),
  LicenseInfo: t.string(),
  CompatibleArchitectures: t.list(t.string()),
});

export function layerVersionView(lambda: LambdaBackend, name: string, v: LayerVersionDoc): Infer<typeof layerVersionShape> {
  return {
    Content: { Location: `stratus://lambda-code/${v.code.sha256}`, CodeSha256: v.codeSha256, CodeSize: v.code.size },
    LayerArn: layerArn(lambda.opts.region, lambda.opts.accountId, name),
    LayerVersionArn: layerArn(lambda.opts.region, lambda.opts.accountId, name, v.version),
    Description: v.description,
    CreatedDate: v.created,
    Version: v.version,
    ...(v.compatibleRuntimes.length > 0 ? { CompatibleRuntimes: v.compatibleRuntimes } : {}),
    ...(v.licenseInfo ? { LicenseInfo: v.licenseInfo } : {}),
    ...(v.compatibleArchitectures.length > 0 ? { CompatibleArchitectures: v.compatibleArchitectures } : {}),
  };
}

export function layerListItem(lambda: LambdaBackend, name: string, v: LayerVersionDoc): Infer<typeof layerVersionsListItem> {
  const { Content: _c, LayerArn: _a, ...rest } = layerVersionView(lambda, name, v);
  return rest;
}
