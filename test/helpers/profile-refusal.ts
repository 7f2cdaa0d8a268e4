import assert from 'node:assert/strict';
import { ProfileError, parseTargetProfile } from '../../common/profile';

/** The message parseTargetProfile refuses `raw` with (fails the test when it parses). */
export function profileRefusal(raw: unknown): string {
  try {
    parseTargetProfile(raw, 'shop.yaml');
  } catch (err) {
    assert.ok(err instanceof ProfileError);
    return err.message;
  }
  assert.fail('the profile parsed');
}
