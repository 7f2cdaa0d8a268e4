// A plan whose action cannot be applied as given: a non-retryable BadPlan failure, and the identifier check.
import { ApplicationFailure } from '@temporalio/common';
import { MAX_IDENTIFIER_LENGTH } from '../postgres/sql-ident';

export function badPlan(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'BadPlan');
}

export function checkIdentifier(what: string, v: unknown): string {
  if (typeof v !== 'string' || v.length === 0) throw badPlan(`${what} must be a non-empty string`);
  if (v.length > MAX_IDENTIFIER_LENGTH) throw badPlan(`${what} "${v}" is longer than ${MAX_IDENTIFIER_LENGTH} characters`);
  return v;
}
