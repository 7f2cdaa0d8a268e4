// Custom search attributes: runs can be listed by target, phase and tier in the Web UI and CLI.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PERF_TARGET = defineSearchAttributeKey('PerfTarget', SearchAttributeType.KEYWORD);
export const PERF_PHASE = defineSearchAttributeKey('PerfPhase', SearchAttributeType.KEYWORD);
export const PERF_TIER = defineSearchAttributeKey('PerfTier', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [PERF_TARGET, PERF_PHASE, PERF_TIER];

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function devServerSearchAttributeArgs(): string[] {
  return SEARCH_ATTRIBUTES.flatMap((k) => ['--search-attribute', `${k.name}=Keyword`]);
}
