// The before/after verdict: effects with 95% intervals (effect.ts), the one rule that calls a change
// improved, worse or regressed (verdict.ts), and the flags on the figures' trustworthiness
// (stability.ts, saturation.ts, confidence.ts).
export * from './effect';
export * from './verdict';
export * from './stability';
export * from './saturation';
export * from './confidence';
export * from './before-after';
export * from './outcome';
export * from './baseline-measurement';
export * from './item-effect';
export * from './blocks';
