export { collectRewrites, keysFromCatalog, type RewriteCollectOptions } from './collect';
export { detectRewrite } from './detect';
export { rewriteFinding } from './finding';
export type { RewriteEvidence, RewriteKind, TableKeys, KeysOf } from './types';
