// The core's rotation step machine through its wasm export (rotationAdvance), and the checks
// iamCreateAccessKey makes on a Secrets Manager push target before sending anything.
// Run: node --test tests/node/aws-rotation.test.mjs

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { loadCore } from '../support/core.mjs';

const OLD = 'AKIAOLDOLDOLDOLDOLD1';
const NEW = 'AKIANEWNEWNEWNEWNEW1';

describe('rotationAdvance', () => {
  let core;
  before(async () => {
    core = await loadCore();
  });

  test('the forward steps in order, each with its next action and rollback plan', () => {
    let advice = core.rotationAdvance({ userName: 'bob', oldKeyId: OLD, state: 'started' });
    assert.deepEqual(advice, { step: { userName: 'bob', oldKeyId: OLD, state: 'started' }, next: 'create_new_key', rollback: [] });
    advice = core.rotationAdvance(advice.step, 'create_new_key', NEW);
    assert.deepEqual(advice.step, { userName: 'bob', oldKeyId: OLD, state: 'new_key_created', newKeyId: NEW });
    assert.equal(advice.next, 'vault_new_key');
    assert.deepEqual(advice.rollback, ['delete_new_key']);
    advice = core.rotationAdvance(advice.step, 'vault_new_key');
    assert.equal(advice.next, 'deactivate_old_key');
    advice = core.rotationAdvance(advice.step, 'deactivate_old_key');
    assert.equal(advice.step.state, 'old_key_deactivated');
    assert.equal(advice.next, 'await_confirmation');
    assert.deepEqual(advice.rollback, ['reactivate_old_key', 'delete_new_key'], 'the old key comes back before the new one goes');
    advice = core.rotationAdvance(advice.step, 'delete_old_key');
    assert.equal(advice.step.state, 'completed');
    assert.equal(advice.next, 'nothing');
    assert.equal(advice.rollback, null, 'a completed rotation cannot be rolled back');
  });

  test('steps out of order and inconsistent records are refused', () => {
    const started = { userName: 'bob', oldKeyId: OLD, state: 'started' };
    assert.throws(() => core.rotationAdvance(started, 'deactivate_old_key'), { code: 'rotation_out_of_order' });
    assert.throws(() => core.rotationAdvance(started, 'create_new_key'), { code: 'rotation_out_of_order' }, 'needs the new id');
    assert.throws(() => core.rotationAdvance({ ...started, state: 'new_key_vaulted' }), { code: 'invalid_rotation' });
    assert.throws(() => core.rotationAdvance({ ...started, state: 'nonsense' }), { code: 'invalid_rotation' });
    assert.throws(() => core.rotationAdvance(started, 'reactivate_old_key'), { code: 'invalid_rotation' });
    const done = { userName: 'bob', oldKeyId: OLD, state: 'completed', newKeyId: NEW };
    assert.throws(() => core.rotationAdvance(done, 'rolled_back'), { code: 'rotation_cannot_roll_back' });
    const rolledBack = core.rotationAdvance({ ...done, state: 'old_key_deactivated' }, 'rolled_back');
    assert.deepEqual(rolledBack.step, { userName: 'bob', oldKeyId: OLD, state: 'rolled_back' });
  });

  test('a bad push target is refused before any request (nothing listens on port 9)', async () => {
    const base = {
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      endpoint: 'http://127.0.0.1:9',
      userName: 'bob',
      vaultHeader: core.vaultCreate('a long enough passphrase', { mKib: 19456, t: 2, p: 1 }).header,
    };
    const token = '0f8fad5b-d9cb-469f-a165-70867728950e';
    for (const [pushSecret, code] of [
      [{ region: 'mars-1', name: 'team/key', clientRequestToken: token }, 'invalid_region'],
      [{ region: 'eu-west-3', name: 'bad name', clientRequestToken: token }, 'invalid_options'],
      [{ region: 'eu-west-3', name: 'team/key-abcdef', clientRequestToken: token }, 'invalid_options'],
      [{ region: 'eu-west-3', name: 'team/key', clientRequestToken: 'short' }, 'invalid_options'],
    ]) {
      await assert.rejects(core.iamCreateAccessKey({ ...base, pushSecret }), { code }, JSON.stringify(pushSecret));
    }
    // A good target gets as far as the network (which is not there).
    await assert.rejects(
      core.iamCreateAccessKey({ ...base, pushSecret: { region: 'eu-west-3', name: 'team/key', clientRequestToken: token } }),
      { code: 'network' },
    );
  });
});
