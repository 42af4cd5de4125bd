//! When to repeat a failed AWS call, and after how long: pure functions of the error, the
//! attempt number and a random number the caller supplies (the core reads no clock and no RNG).

use super::error::AwsError;

/// Retries after the first attempt, at most.
pub const MAX_RETRIES: u32 = 3;
/// The ceiling of the first delay; it doubles with every retry (500, 1000, 2000 ms).
const BASE_DELAY_MS: u32 = 500;
/// No single wait is longer than this.
const MAX_DELAY_MS: u32 = 5_000;

/// Whether a call may safely be sent twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeatable {
    /// Reads, and writes whose repetition changes nothing (update to a status, delete, attach).
    Idempotent,
    /// Creates without a client token (`CreateAccessKey`, `CreateUser`, `CreateKeyPair`): a
    /// second request after a lost answer would create a second key, or fail and lose the
    /// first one's secret.
    Once,
}

/// The wait before retry number `attempt + 1` (attempt counts from 0), with "equal jitter":
/// half the exponential ceiling, plus a random share of the other half, so that clients
/// throttled together do not retry together, yet none retries immediately. `None` once
/// [`MAX_RETRIES`] retries have been made.
pub fn retry_delay_ms(attempt: u32, jitter_source: u32) -> Option<u32> {
    if attempt >= MAX_RETRIES {
        return None;
    }
    let ceiling = BASE_DELAY_MS
        .checked_shl(attempt)
        .unwrap_or(MAX_DELAY_MS)
        .min(MAX_DELAY_MS);
    let half = ceiling / 2;
    Some(half + jitter_source % (ceiling - half + 1))
}

/// Whether `error` deserves another attempt. Throttling means AWS refused the request before
/// acting on it, so any call may be repeated; a 503 may come after the request was acted on,
/// so only idempotent calls are repeated then. Network errors are never retried here: the
/// request may have reached AWS, and the fetch already waited for its timeout.
pub fn should_retry(error: &AwsError, repeatable: Repeatable) -> bool {
    error.is_throttling() || (repeatable == Repeatable::Idempotent && error.is_transient())
}

/// The wait before the next attempt after `error` on attempt `attempt` (from 0), or `None` to
/// give up and report the error.
pub fn next_retry_delay_ms(
    error: &AwsError,
    attempt: u32,
    repeatable: Repeatable,
    jitter_source: u32,
) -> Option<u32> {
    if should_retry(error, repeatable) {
        retry_delay_ms(attempt, jitter_source)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(status: u16, code: &str) -> AwsError {
        AwsError::Provider {
            status,
            code: code.into(),
            message: String::new(),
            request_id: None,
        }
    }

    #[test]
    fn delays_grow_exponentially_within_jittered_bounds() {
        let bounds = [(250, 500), (500, 1000), (1000, 2000)];
        for (attempt, (lo, hi)) in bounds.iter().enumerate() {
            let attempt = attempt as u32;
            assert_eq!(retry_delay_ms(attempt, 0), Some(*lo));
            assert_eq!(retry_delay_ms(attempt, hi - lo), Some(*hi));
            for jitter in [1, 7, 12345, u32::MAX / 2, u32::MAX] {
                let d = retry_delay_ms(attempt, jitter).unwrap();
                assert!(
                    (*lo..=*hi).contains(&d),
                    "attempt {attempt} jitter {jitter}: {d}"
                );
            }
        }
    }

    #[test]
    fn at_most_three_retries() {
        assert!(retry_delay_ms(2, 0).is_some());
        assert_eq!(retry_delay_ms(3, 0), None);
        assert_eq!(retry_delay_ms(u32::MAX, u32::MAX), None);
    }

    #[test]
    fn jitter_spreads_the_delays() {
        let distinct: std::collections::BTreeSet<u32> = (0..50u32)
            .map(|j| retry_delay_ms(1, j * 7919).unwrap())
            .collect();
        assert!(distinct.len() > 25, "{distinct:?}");
    }

    #[test]
    fn throttling_is_retried_for_every_call() {
        for code in ["Throttling", "ThrottlingException", "RequestLimitExceeded"] {
            for r in [Repeatable::Idempotent, Repeatable::Once] {
                assert!(next_retry_delay_ms(&provider(400, code), 0, r, 0).is_some());
            }
        }
        assert!(should_retry(
            &provider(429, "TooManyRequests"),
            Repeatable::Once
        ));
    }

    #[test]
    fn service_unavailable_is_retried_only_when_repeating_is_harmless() {
        let unavailable = provider(503, "ServiceUnavailable");
        assert!(should_retry(&unavailable, Repeatable::Idempotent));
        assert!(!should_retry(&unavailable, Repeatable::Once));
        let html_503 = AwsError::MalformedResponse {
            status: 503,
            detail: "html".into(),
        };
        assert!(should_retry(&html_503, Repeatable::Idempotent));
    }

    #[test]
    fn other_errors_are_final() {
        for e in [
            provider(403, "AccessDenied"),
            provider(409, "LimitExceeded"),
            provider(500, "ServiceFailure"),
            AwsError::Network("connection refused".into()),
            AwsError::MalformedResponse {
                status: 200,
                detail: "truncated".into(),
            },
        ] {
            assert_eq!(
                next_retry_delay_ms(&e, 0, Repeatable::Idempotent, 0),
                None,
                "{e:?}"
            );
        }
    }
}
