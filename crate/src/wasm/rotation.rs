//! Rotation exports: the core's rotation step machine (`aws::rotation`), for the service
//! worker's rotation records. Pure: no I/O, no secrets.

use wasm_bindgen::prelude::*;

use super::{js_error, object, read};
use crate::aws::rotation::{Rotation, RotationAction, RotationError, RotationState};

#[wasm_bindgen(typescript_custom_section)]
const TS_ROTATION_TYPES: &'static str = r#"
export type RotationStateName =
  | 'started' | 'new_key_created' | 'new_key_vaulted' | 'old_key_deactivated' | 'completed' | 'rolled_back';
export type RotationActionName =
  | 'create_new_key' | 'vault_new_key' | 'deactivate_old_key' | 'await_confirmation' | 'delete_old_key'
  | 'reactivate_old_key' | 'delete_new_key' | 'nothing';
/** Where a rotation stands: ids only, never a secret. */
export interface RotationStep { userName: string; oldKeyId: string; state: RotationStateName; newKeyId?: string }
export interface RotationAdvice {
  step: RotationStep;
  /** What to do to move forward. */
  next: RotationActionName;
  /** The steps that undo it, in order; null once it cannot be rolled back (old key deleted). */
  rollback: RotationActionName[] | null;
}
"#;

fn state_name(state: &RotationState) -> (&'static str, Option<&str>) {
    match state {
        RotationState::Started => ("started", None),
        RotationState::NewKeyCreated { new_key_id } => ("new_key_created", Some(new_key_id)),
        RotationState::NewKeyVaulted { new_key_id } => ("new_key_vaulted", Some(new_key_id)),
        RotationState::OldKeyDeactivated { new_key_id } => {
            ("old_key_deactivated", Some(new_key_id))
        }
        RotationState::Completed { new_key_id } => ("completed", Some(new_key_id)),
        RotationState::RolledBack => ("rolled_back", None),
    }
}

fn action_name(action: &RotationAction) -> &'static str {
    match action {
        RotationAction::CreateNewKey => "create_new_key",
        RotationAction::VaultNewKey => "vault_new_key",
        RotationAction::DeactivateOldKey => "deactivate_old_key",
        RotationAction::AwaitConfirmation => "await_confirmation",
        RotationAction::DeleteOldKey => "delete_old_key",
        RotationAction::ReactivateOldKey => "reactivate_old_key",
        RotationAction::DeleteNewKey { .. } => "delete_new_key",
        RotationAction::Nothing => "nothing",
    }
}

fn bad(message: &str) -> JsValue {
    js_error("invalid_rotation", message)
}

fn read_rotation(step: &JsValue) -> Result<Rotation, JsValue> {
    let user = read::string(step, "step", "userName")?;
    let old = read::string(step, "step", "oldKeyId")?;
    let new = read::opt_string(step, "step", "newKeyId")?;
    let state = match (read::string(step, "step", "state")?.as_str(), new) {
        ("started", None) => RotationState::Started,
        ("rolled_back", None) => RotationState::RolledBack,
        ("new_key_created", Some(new_key_id)) => RotationState::NewKeyCreated { new_key_id },
        ("new_key_vaulted", Some(new_key_id)) => RotationState::NewKeyVaulted { new_key_id },
        ("old_key_deactivated", Some(new_key_id)) => {
            RotationState::OldKeyDeactivated { new_key_id }
        }
        ("completed", Some(new_key_id)) => RotationState::Completed { new_key_id },
        _ => return Err(bad("step.state is unknown or does not fit step.newKeyId")),
    };
    let mut rotation = Rotation::new(&user, &old);
    rotation.state = state;
    Ok(rotation)
}

fn read_action(name: &str) -> Result<RotationAction, JsValue> {
    Ok(match name {
        "create_new_key" => RotationAction::CreateNewKey,
        "vault_new_key" => RotationAction::VaultNewKey,
        "deactivate_old_key" => RotationAction::DeactivateOldKey,
        "delete_old_key" => RotationAction::DeleteOldKey,
        _ => return Err(bad("done must be a forward step or rolled_back")),
    })
}

fn rotation_error(e: RotationError) -> JsValue {
    let code = match e {
        RotationError::OutOfOrder { .. } => "rotation_out_of_order",
        RotationError::CannotRollBack => "rotation_cannot_roll_back",
    };
    js_error(code, &e.to_string())
}

/// Where rotation `step` stands, after recording `done` if given (a forward step, with
/// `newKeyId` for `create_new_key`; or `rolled_back` once the rollback plan was carried out).
/// Steps out of order are refused (`rotation_out_of_order`).
#[wasm_bindgen(js_name = rotationAdvance, unchecked_return_type = "RotationAdvice")]
pub fn rotation_advance(
    #[wasm_bindgen(unchecked_param_type = "RotationStep")] step: JsValue,
    done: Option<String>,
    new_key_id: Option<String>,
) -> Result<JsValue, JsValue> {
    let mut rotation = read_rotation(&step)?;
    match done.as_deref() {
        None => {}
        Some("rolled_back") => rotation.record_rolled_back().map_err(rotation_error)?,
        Some(name) => rotation
            .record(read_action(name)?, new_key_id.as_deref())
            .map_err(rotation_error)?,
    }
    let (state, new_key_id) = state_name(&rotation.state);
    let rollback = match rotation.rollback_plan() {
        Ok(plan) => plan
            .iter()
            .map(|a| JsValue::from_str(action_name(a)))
            .collect::<js_sys::Array>()
            .into(),
        Err(_) => JsValue::NULL,
    };
    let mut fields = vec![
        ("userName", rotation.user_name.as_str().into()),
        ("oldKeyId", rotation.old_key_id.as_str().into()),
        ("state", state.into()),
    ];
    if let Some(id) = new_key_id {
        fields.push(("newKeyId", id.into()));
    }
    Ok(object(&[
        ("step", object(&fields)),
        ("next", action_name(&rotation.next_action()).into()),
        ("rollback", rollback),
    ]))
}
