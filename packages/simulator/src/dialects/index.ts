import type { Dialect } from '@mnogate/core';
import type { DialectFactory } from '../dialect.js';
import { createErsHandler } from './ers/handler.js';
import { createHuaweiCbsHandler } from './huawei-cbs/handler.js';
import { createPretupsHandler } from './pretups/handler.js';
import { createRestJsonHandler } from './rest-json/handler.js';

/** Every built-in dialect's simulator. */
export const DIALECTS: Readonly<Record<Dialect, DialectFactory>> = {
  ers: createErsHandler,
  pretups: createPretupsHandler,
  'huawei-cbs': createHuaweiCbsHandler,
  'rest-json': createRestJsonHandler,
};
