//! IAM allows two access keys per user, whatever their status. Before creating a key, list
//! the user's keys; when both slots are taken, the user chooses which key to free (never
//! Keysmith, silently). `LimitExceeded` from `CreateAccessKey` leads to the same choice.

use super::error::AwsError;
use super::iam::{AccessKeyLastUsed, AccessKeyMetadata, KeyStatus};

/// IAM's quota of access keys per user (inactive and expired keys count too).
pub const ACCESS_KEYS_PER_USER: usize = 2;

/// One of the user's keys, as the choice shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeySlot {
    pub access_key_id: String,
    pub status: KeyStatus,
    pub create_date: String,
    /// `None`: never used, or its last use is unknown.
    pub last_used: Option<LastUse>,
    /// This key signs Keysmith's own requests: deactivating or deleting it locks Keysmith out.
    pub is_signer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastUse {
    pub date: String,
    pub service: Option<String>,
    pub region: Option<String>,
}

/// What freeing a slot takes. Only deletion frees one; deactivation is the reversible first
/// step (see that nothing breaks, then delete).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FreeSlotAction {
    Deactivate,
    Delete,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySlotDecision {
    /// A slot is free: create the key. `existing` lists the keys already there.
    CreateDirectly { existing: Vec<KeySlot> },
    /// Every slot is taken. The user must delete one of `keys` first; `suggested` is the key
    /// Keysmith would pick (inactive before active, least recently used first, never the
    /// signer's own key), with what to do to it. A suggestion, never an automatic action.
    ChooseKeyToFree {
        keys: Vec<KeySlot>,
        suggested: Option<(String, FreeSlotAction)>,
    },
}

impl KeySlotDecision {
    pub fn can_create(&self) -> bool {
        matches!(self, Self::CreateDirectly { .. })
    }

    pub fn keys(&self) -> &[KeySlot] {
        match self {
            Self::CreateDirectly { existing } => existing,
            Self::ChooseKeyToFree { keys, .. } => keys,
        }
    }
}

/// Joins `ListAccessKeys` rows with their `GetAccessKeyLastUsed` answers (matched by id; a
/// key without one is shown as never used).
pub fn key_slots(
    keys: &[AccessKeyMetadata],
    last_used: &[(String, AccessKeyLastUsed)],
    signer_access_key_id: Option<&str>,
) -> Vec<KeySlot> {
    keys.iter()
        .map(|k| KeySlot {
            access_key_id: k.access_key_id.clone(),
            status: k.status.clone(),
            create_date: k.create_date.clone(),
            last_used: last_used
                .iter()
                .find(|(id, _)| *id == k.access_key_id)
                .and_then(|(_, used)| {
                    used.last_used_date.as_ref().map(|date| LastUse {
                        date: date.clone(),
                        service: used.service_name.clone(),
                        region: used.region.clone(),
                    })
                }),
            is_signer: signer_access_key_id == Some(k.access_key_id.as_str()),
        })
        .collect()
}

/// The decision before `CreateAccessKey`.
pub fn decide_key_slot(slots: Vec<KeySlot>) -> KeySlotDecision {
    if slots.len() < ACCESS_KEYS_PER_USER {
        KeySlotDecision::CreateDirectly { existing: slots }
    } else {
        choose(slots)
    }
}

/// The decision after `CreateAccessKey` failed: `LimitExceeded` means every slot is taken,
/// whatever a listing (which IAM may serve slightly stale) says. `None` for other errors.
pub fn decide_after_create_error(error: &AwsError, slots: Vec<KeySlot>) -> Option<KeySlotDecision> {
    error.is_key_limit().then(|| choose(slots))
}

fn choose(keys: Vec<KeySlot>) -> KeySlotDecision {
    let suggested = keys
        .iter()
        .filter(|k| !k.is_signer)
        .min_by(|a, b| rank(a).cmp(&rank(b)))
        .map(|k| {
            let action = if k.status == KeyStatus::Active {
                FreeSlotAction::Deactivate
            } else {
                FreeSlotAction::Delete
            };
            (k.access_key_id.clone(), action)
        });
    KeySlotDecision::ChooseKeyToFree { keys, suggested }
}

/// Smaller is a better candidate: not active first, then the oldest activity (last use, or
/// creation for a key never used). ISO 8601 timestamps of one source order as text.
fn rank(key: &KeySlot) -> (bool, &str) {
    let active = key.status == KeyStatus::Active;
    let activity = key
        .last_used
        .as_ref()
        .map(|u| u.date.as_str())
        .unwrap_or(key.create_date.as_str());
    (active, activity)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(id: &str, status: KeyStatus, created: &str) -> AccessKeyMetadata {
        AccessKeyMetadata {
            user_name: "bob".into(),
            access_key_id: id.into(),
            status,
            create_date: created.into(),
        }
    }

    fn used(id: &str, date: Option<&str>) -> (String, AccessKeyLastUsed) {
        (
            id.into(),
            AccessKeyLastUsed {
                user_name: "bob".into(),
                last_used_date: date.map(Into::into),
                service_name: date.map(|_| "s3".into()),
                region: date.map(|_| "eu-west-3".into()),
            },
        )
    }

    const A: &str = "AKIAAAAAAAAAAAAAAAAA";
    const B: &str = "AKIABBBBBBBBBBBBBBBB";

    #[test]
    fn a_free_slot_means_create() {
        assert!(decide_key_slot(vec![]).can_create());
        let one = key_slots(
            &[meta(A, KeyStatus::Active, "2024-01-01T00:00:00Z")],
            &[],
            None,
        );
        let d = decide_key_slot(one);
        assert!(d.can_create());
        assert_eq!(d.keys().len(), 1);
    }

    #[test]
    fn two_keys_mean_a_choice_with_the_least_recently_used_suggested() {
        let keys = [
            meta(A, KeyStatus::Active, "2020-01-01T00:00:00Z"),
            meta(B, KeyStatus::Active, "2023-01-01T00:00:00Z"),
        ];
        let last = [
            used(A, Some("2026-11-01T10:00:00Z")),
            used(B, Some("2025-05-01T10:00:00Z")),
        ];
        let d = decide_key_slot(key_slots(&keys, &last, None));
        assert!(!d.can_create());
        match &d {
            KeySlotDecision::ChooseKeyToFree { keys, suggested } => {
                assert_eq!(keys.len(), 2);
                assert_eq!(
                    keys[0].last_used.as_ref().unwrap().service.as_deref(),
                    Some("s3")
                );
                assert_eq!(suggested, &Some((B.into(), FreeSlotAction::Deactivate)));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_inactive_key_is_suggested_for_deletion_first() {
        let keys = [
            meta(A, KeyStatus::Active, "2020-01-01T00:00:00Z"),
            meta(B, KeyStatus::Inactive, "2025-01-01T00:00:00Z"),
        ];
        let last = [used(A, None), used(B, Some("2026-01-01T00:00:00Z"))];
        match decide_key_slot(key_slots(&keys, &last, None)) {
            KeySlotDecision::ChooseKeyToFree { suggested, .. } => {
                assert_eq!(suggested, Some((B.into(), FreeSlotAction::Delete)))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn never_used_keys_rank_by_creation_date() {
        let keys = [
            meta(A, KeyStatus::Active, "2026-01-01T00:00:00Z"),
            meta(B, KeyStatus::Active, "2019-01-01T00:00:00Z"),
        ];
        match decide_key_slot(key_slots(&keys, &[used(A, None), used(B, None)], None)) {
            KeySlotDecision::ChooseKeyToFree { suggested, .. } => {
                assert_eq!(suggested.unwrap().0, B)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_signers_own_key_is_never_suggested() {
        let keys = [
            meta(A, KeyStatus::Active, "2019-01-01T00:00:00Z"),
            meta(B, KeyStatus::Active, "2026-01-01T00:00:00Z"),
        ];
        let slots = key_slots(&keys, &[], Some(A));
        assert!(slots[0].is_signer && !slots[1].is_signer);
        match decide_key_slot(slots) {
            KeySlotDecision::ChooseKeyToFree { suggested, .. } => {
                assert_eq!(suggested.unwrap().0, B)
            }
            other => panic!("{other:?}"),
        }
        let both_signer = vec![
            KeySlot {
                is_signer: true,
                ..key_slots(&keys, &[], None)[0].clone()
            };
            2
        ];
        match decide_key_slot(both_signer) {
            KeySlotDecision::ChooseKeyToFree { suggested, .. } => assert_eq!(suggested, None),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn limit_exceeded_leads_to_the_same_choice_even_if_the_listing_lags() {
        let limit = AwsError::Provider {
            status: 409,
            code: "LimitExceeded".into(),
            message: "Cannot exceed quota for AccessKeysPerUser: 2".into(),
            request_id: None,
        };
        let stale = key_slots(
            &[meta(A, KeyStatus::Active, "2024-01-01T00:00:00Z")],
            &[],
            None,
        );
        let d = decide_after_create_error(&limit, stale).unwrap();
        assert!(!d.can_create());
        assert_eq!(d.keys().len(), 1);
        let other = AwsError::Network("x".into());
        assert_eq!(decide_after_create_error(&other, vec![]), None);
    }
}
