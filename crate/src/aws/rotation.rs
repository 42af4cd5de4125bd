//! Access key rotation as a recorded state machine: create new → vault it → deactivate old →
//! (the user confirms nothing broke) → delete old. Each completed step is recorded (by the
//! caller, durably, before the next) so that an interrupted rotation can be resumed or rolled
//! back. Pure: it says what to do next; it does nothing.

/// How far a rotation got. Each state is reached only once its step succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationState {
    /// Decided; nothing done yet.
    Started,
    /// AWS created the new key (its secret is in memory, or lost if the worker died).
    NewKeyCreated { new_key_id: String },
    /// The new key is sealed in the vault.
    NewKeyVaulted { new_key_id: String },
    /// The old key no longer works; waiting for the user to confirm nothing broke.
    OldKeyDeactivated { new_key_id: String },
    /// The old key is deleted. Final.
    Completed { new_key_id: String },
    /// Undone. Final.
    RolledBack,
}

/// The next thing to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationAction {
    CreateNewKey,
    VaultNewKey,
    DeactivateOldKey,
    /// Wait for the user to say everything still works with the new key.
    AwaitConfirmation,
    DeleteOldKey,
    /// Rollback steps.
    ReactivateOldKey,
    DeleteNewKey {
        new_key_id: String,
    },
    Nothing,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RotationError {
    #[error("rotation step {done:?} does not follow state {state:?}")]
    OutOfOrder {
        state: RotationState,
        done: RotationAction,
    },
    #[error("the old key is already deleted: this rotation cannot be rolled back")]
    CannotRollBack,
}

/// One rotation of `old_key_id` for `user_name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub user_name: String,
    pub old_key_id: String,
    pub state: RotationState,
}

impl Rotation {
    pub fn new(user_name: &str, old_key_id: &str) -> Self {
        Self {
            user_name: user_name.to_owned(),
            old_key_id: old_key_id.to_owned(),
            state: RotationState::Started,
        }
    }

    /// What to do to move forward.
    pub fn next_action(&self) -> RotationAction {
        match &self.state {
            RotationState::Started => RotationAction::CreateNewKey,
            // A new key whose secret was lost with a dead worker cannot be vaulted: that case
            // is the orphan path (delete it, see `rollback_plan`), decided by the caller who
            // knows whether the secret is still in memory.
            RotationState::NewKeyCreated { .. } => RotationAction::VaultNewKey,
            RotationState::NewKeyVaulted { .. } => RotationAction::DeactivateOldKey,
            RotationState::OldKeyDeactivated { .. } => RotationAction::AwaitConfirmation,
            RotationState::Completed { .. } | RotationState::RolledBack => RotationAction::Nothing,
        }
    }

    /// Records that `done` succeeded. `CreateNewKey` must name the new key's id;
    /// `AwaitConfirmation` is recorded as `DeleteOldKey` once the user confirmed and the
    /// delete succeeded.
    pub fn record(
        &mut self,
        done: RotationAction,
        new_key_id: Option<&str>,
    ) -> Result<(), RotationError> {
        let next = match (&self.state, &done, new_key_id) {
            (RotationState::Started, RotationAction::CreateNewKey, Some(id)) => {
                RotationState::NewKeyCreated {
                    new_key_id: id.to_owned(),
                }
            }
            (RotationState::NewKeyCreated { new_key_id }, RotationAction::VaultNewKey, None) => {
                RotationState::NewKeyVaulted {
                    new_key_id: new_key_id.clone(),
                }
            }
            (
                RotationState::NewKeyVaulted { new_key_id },
                RotationAction::DeactivateOldKey,
                None,
            ) => RotationState::OldKeyDeactivated {
                new_key_id: new_key_id.clone(),
            },
            (
                RotationState::OldKeyDeactivated { new_key_id },
                RotationAction::DeleteOldKey,
                None,
            ) => RotationState::Completed {
                new_key_id: new_key_id.clone(),
            },
            _ => {
                return Err(RotationError::OutOfOrder {
                    state: self.state.clone(),
                    done,
                })
            }
        };
        self.state = next;
        Ok(())
    }

    /// The steps that undo what was done, in order: the old key is made active again before
    /// the new one is deleted, so that some key works at every moment.
    pub fn rollback_plan(&self) -> Result<Vec<RotationAction>, RotationError> {
        match &self.state {
            RotationState::Started | RotationState::RolledBack => Ok(Vec::new()),
            RotationState::NewKeyCreated { new_key_id }
            | RotationState::NewKeyVaulted { new_key_id } => {
                Ok(vec![RotationAction::DeleteNewKey {
                    new_key_id: new_key_id.clone(),
                }])
            }
            RotationState::OldKeyDeactivated { new_key_id } => Ok(vec![
                RotationAction::ReactivateOldKey,
                RotationAction::DeleteNewKey {
                    new_key_id: new_key_id.clone(),
                },
            ]),
            RotationState::Completed { .. } => Err(RotationError::CannotRollBack),
        }
    }

    /// Records that the rollback plan was carried out.
    pub fn record_rolled_back(&mut self) -> Result<(), RotationError> {
        self.rollback_plan()?;
        self.state = RotationState::RolledBack;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEW: &str = "AKIANEWNEWNEWNEWNEW1";

    #[test]
    fn the_happy_path_in_order() {
        let mut r = Rotation::new("bob", "AKIAOLDOLDOLDOLDOLD1");
        assert_eq!(r.next_action(), RotationAction::CreateNewKey);
        r.record(RotationAction::CreateNewKey, Some(NEW)).unwrap();
        assert_eq!(r.next_action(), RotationAction::VaultNewKey);
        r.record(RotationAction::VaultNewKey, None).unwrap();
        assert_eq!(r.next_action(), RotationAction::DeactivateOldKey);
        r.record(RotationAction::DeactivateOldKey, None).unwrap();
        assert_eq!(r.next_action(), RotationAction::AwaitConfirmation);
        r.record(RotationAction::DeleteOldKey, None).unwrap();
        assert_eq!(
            r.state,
            RotationState::Completed {
                new_key_id: NEW.into()
            }
        );
        assert_eq!(r.next_action(), RotationAction::Nothing);
        assert_eq!(r.rollback_plan(), Err(RotationError::CannotRollBack));
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        let mut r = Rotation::new("bob", "old");
        assert!(r.record(RotationAction::DeactivateOldKey, None).is_err());
        assert!(
            r.record(RotationAction::CreateNewKey, None).is_err(),
            "needs the new id"
        );
        r.record(RotationAction::CreateNewKey, Some(NEW)).unwrap();
        assert!(
            r.record(RotationAction::DeleteOldKey, None).is_err(),
            "not before vaulting"
        );
        assert!(
            r.record(RotationAction::CreateNewKey, Some(NEW)).is_err(),
            "only once"
        );
    }

    #[test]
    fn rollback_restores_the_old_key_before_deleting_the_new() {
        let mut r = Rotation::new("bob", "old");
        assert_eq!(r.rollback_plan().unwrap(), vec![]);
        r.record(RotationAction::CreateNewKey, Some(NEW)).unwrap();
        assert_eq!(
            r.rollback_plan().unwrap(),
            vec![RotationAction::DeleteNewKey {
                new_key_id: NEW.into()
            }]
        );
        r.record(RotationAction::VaultNewKey, None).unwrap();
        r.record(RotationAction::DeactivateOldKey, None).unwrap();
        assert_eq!(
            r.rollback_plan().unwrap(),
            vec![
                RotationAction::ReactivateOldKey,
                RotationAction::DeleteNewKey {
                    new_key_id: NEW.into()
                }
            ]
        );
        r.record_rolled_back().unwrap();
        assert_eq!(r.state, RotationState::RolledBack);
        assert_eq!(r.next_action(), RotationAction::Nothing);
    }
}
