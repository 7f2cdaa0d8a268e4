// assert.rejects matcher for the ApplicationFailures activities throw: their type, retryability and message.
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';

export function isFailure(type: string, nonRetryable: boolean, message?: RegExp) {
  return (err: unknown) => {
    assert.ok(err instanceof ApplicationFailure, `not an ApplicationFailure: ${err}`);
    assert.equal(err.type, type, err.message);
    assert.equal(err.nonRetryable, nonRetryable, err.message);
    if (message) assert.match(err.message, message);
    return true;
  };
}
