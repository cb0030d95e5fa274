#!/usr/bin/env node
// The `stratus` command. The TypeScript sources run through tsx, so `npx stratus` works
// right after `npm ci` without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../nodes/main.ts');
