//! Actions that take more than one call: look up a signer's bearer and Organization, and
//! create a key (optionally pushed to Secret Manager) so that nothing is left half-done.
//! Written against a [`Transport`], so the order of calls and the undo logic are tested
//! natively; the wasm build plugs in `fetch`.

use std::future::Future;
use std::pin::Pin;

use super::auth::{authorize_request, ApiBase};
use super::error::ScalewayError;
use super::iam::{self, ApiKey, Bearer, CreatedApiKey, NewApiKey};
use super::secret_manager::{self, Secret, SecretTarget, SecretVersion};
use crate::response::{HttpResponse, NetworkError};
use crate::secret::SecretString;

/// Sends one request and returns the answer (the browser's `fetch`, or a test double).
pub trait Transport {
    fn send(
        &self,
        request: http::Request<Vec<u8>>,
    ) -> impl Future<Output = Result<HttpResponse, NetworkError>>;
}

/// The answer to one authorised request.
pub type Call<'c> = Pin<Box<dyn Future<Output = Result<HttpResponse, ScalewayError>> + 'c>>;

/// A signer bound to one API base: every request it sends is authorised by
/// [`authorize_request`], which refuses any URL outside the base.
pub struct Client<'t, T: Transport> {
    transport: &'t T,
    base: ApiBase,
    secret_key: SecretString,
}

impl<'t, T: Transport> Client<'t, T> {
    pub fn new(transport: &'t T, base: ApiBase, secret_key: SecretString) -> Self {
        Self {
            transport,
            base,
            secret_key,
        }
    }

    pub fn base(&self) -> &ApiBase {
        &self.base
    }

    /// Authorises `request` with the signer's secret key and sends it.
    ///
    /// Boxed so that the authorise-and-send state machine is compiled once, not inlined into
    /// every caller's: this alone saves several KB of the wasm core.
    pub fn call(&self, request: http::Request<Vec<u8>>) -> Call<'_> {
        Box::pin(async move {
            let request = authorize_request(request, &self.secret_key, &self.base)?;
            Ok(self.transport.send(request).await?)
        })
    }
}

/// Who a signer is: its key's bearer, default Project and Organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignerIdentity {
    pub key: ApiKey,
    pub organization_id: String,
    /// The user's e-mail or the application's name, to show.
    pub bearer_name: Option<String>,
}

/// `GET /iam/v1alpha1/api-keys/{access_key}`, then the bearer (user or application) for
/// its Organization, which the key itself does not state.
pub async fn get_signer_identity<T: Transport>(
    client: &Client<'_, T>,
    access_key: &str,
) -> Result<SignerIdentity, ScalewayError> {
    let response = client
        .call(iam::prepare_get_api_key(client.base(), access_key)?)
        .await?;
    let key = iam::parse_api_key(&response)?;
    let bearer = match &key.bearer {
        Bearer::User(id) => iam::prepare_get_user(client.base(), id)?,
        Bearer::Application(id) => iam::prepare_get_application(client.base(), id)?,
    };
    let response = client.call(bearer).await?;
    let (organization_id, bearer_name) = match key.bearer {
        Bearer::User(_) => {
            let user = iam::parse_user(&response)?;
            (user.organization_id, user.email.or(user.username))
        }
        Bearer::Application(_) => {
            let app = iam::parse_application(&response)?;
            (app.organization_id, Some(app.name))
        }
    };
    Ok(SignerIdentity {
        key,
        organization_id,
        bearer_name,
    })
}

/// Where a created key was pushed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedSecret {
    pub region: String,
    pub secret: Secret,
    pub version: SecretVersion,
}

#[derive(Debug)]
pub struct CreateOutcome {
    pub created: CreatedApiKey,
    pub pushed: Option<PushedSecret>,
}

/// What to delete, and how to name it, if a later step fails.
type Undo = Vec<(String, http::Request<Vec<u8>>)>;

/// Checks a new key's expiry against its Organization's maximum API key lifetime, when the
/// signer may read the Organization's security settings. A signer without that permission
/// (`permissions_denied`, `not_found`) skips the check: Scaleway still enforces the maximum on
/// create, this only says so earlier and more clearly. Returns the maximum, if one applies.
pub async fn check_organization_maximum<T: Transport>(
    client: &Client<'_, T>,
    organization_id: &str,
    new_key: &NewApiKey,
    now_ms: u64,
) -> Result<Option<u64>, ScalewayError> {
    let request = iam::prepare_get_security_settings(client.base(), organization_id)?;
    let settings = match client.call(request).await {
        Ok(response) => iam::parse_security_settings(&response),
        Err(e) => Err(e),
    };
    let max = match settings {
        Ok(settings) => settings.max_api_key_expiration_seconds,
        Err(ScalewayError::PermissionsDenied { .. } | ScalewayError::NotFound { .. }) => None,
        Err(e) => return Err(e),
    };
    if let Some(max) = max {
        iam::check_expiry_within(new_key.expires_at.as_deref(), max, now_ms)?;
    }
    Ok(max)
}

/// Creates an API key and, if `push` is given, stores it in Secret Manager. With the bearer's
/// `organization_id`, the expiry is first checked against the Organization's maximum
/// ([`check_organization_maximum`]).
///
/// Order, so that a failure leaves nothing behind: every request is built (so every
/// argument checked) first; then the (empty) secret is created, where most push failures
/// happen (permissions, Project, name conflict) before any key exists; then the key; then
/// the version. If a later step fails, what was created is deleted again and the error
/// says so. Deleting the new key is right while the secret cannot be kept anywhere else;
/// once the vault seals the key first, a failed push must leave the vaulted key alone.
pub async fn create_api_key<T: Transport>(
    client: &Client<'_, T>,
    new_key: &NewApiKey,
    push: Option<&SecretTarget>,
    organization_id: Option<&str>,
    now_ms: u64,
) -> Result<CreateOutcome, ScalewayError> {
    let create_key = iam::prepare_create_api_key(client.base(), new_key, now_ms)?;
    if let Some(organization_id) = organization_id {
        check_organization_maximum(client, organization_id, new_key, now_ms).await?;
    }
    let mut undo = Undo::new();
    let mut secret = None;
    if let Some(target) = push {
        let request = secret_manager::prepare_create_secret(client.base(), target)?;
        let created = secret_manager::parse_secret(&client.call(request).await?)?;
        undo.push((
            format!(
                "secret {} ({}) in {}",
                created.name, created.id, target.region
            ),
            secret_manager::prepare_delete_secret(client.base(), &target.region, &created.id)?,
        ));
        secret = Some((target, created));
    }
    let created = match client.call(create_key).await {
        Ok(response) => iam::parse_create_api_key(&response),
        Err(e) => Err(e),
    };
    let created = match created {
        Ok(created) => created,
        Err(cause) => {
            let unknown = matches!(cause, ScalewayError::Network(_)).then(|| {
                "possibly a new API key (no answer arrived; check the bearer's API keys)".into()
            });
            return Err(undo_all(client, undo, unknown, cause).await);
        }
    };
    let Some((target, secret)) = secret else {
        return Ok(CreateOutcome {
            created,
            pushed: None,
        });
    };
    let access_key = &created.key.access_key;
    match iam::prepare_delete_api_key(client.base(), access_key) {
        Ok(request) => undo.insert(0, (format!("API key {access_key}"), request)),
        Err(e) => return Err(e),
    }
    let payload = secret_manager::api_key_payload(&created);
    let request = secret_manager::prepare_create_secret_version(
        client.base(),
        &target.region,
        &secret.id,
        &payload,
        Some("API key created by Keysmith"),
    );
    drop(payload);
    let version = match request {
        Ok(request) => match client.call(request).await {
            Ok(response) => secret_manager::parse_secret_version(&response),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    match version {
        Ok(version) => Ok(CreateOutcome {
            created,
            pushed: Some(PushedSecret {
                region: target.region.clone(),
                secret,
                version,
            }),
        }),
        Err(cause) => Err(undo_all(client, undo, None, cause).await),
    }
}

/// Sends every undo request; the error names what was deleted and what is left behind.
async fn undo_all<T: Transport>(
    client: &Client<'_, T>,
    undo: Undo,
    unknown: Option<String>,
    cause: ScalewayError,
) -> ScalewayError {
    let mut undone = Vec::new();
    let mut left_behind: Vec<String> = unknown.into_iter().collect();
    for (what, request) in undo {
        let deleted = match client.call(request).await {
            Ok(response) => (200..300).contains(&response.status),
            Err(_) => false,
        };
        if deleted {
            undone.push(what);
        } else {
            left_behind.push(what);
        }
    }
    if undone.is_empty() && left_behind.is_empty() {
        cause
    } else {
        ScalewayError::Incomplete {
            cause: Box::new(cause),
            undone,
            left_behind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json;
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use std::pin::pin;
    use std::task::{Context, Poll, Waker};

    const SIGNER: &str = "d6a8f3c2-1b4e-4f7a-9c3d-2e5f6a7b8c9d";
    const USER: &str = "5b8b6a2e-6a4c-4c8e-9d1f-0e2a3b4c5d6e";
    const APP: &str = "0f1e2d3c-4b5a-4968-8776-655443322110";
    const ORG: &str = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    const PROJECT: &str = "11111111-2222-4333-8444-555555555555";
    const SECRET_ID: &str = "6170692e-7363-616c-6577-61792e636f6d";
    const NEW_SECRET: &str = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
    const NOW: u64 = 1_764_061_200_000;

    /// One request as the transport saw it.
    struct Sent {
        method: String,
        path: String,
        token: Option<String>,
        body: String,
    }

    /// Answers from a script, in order, and records what it was sent.
    #[derive(Default)]
    struct Script {
        answers: RefCell<VecDeque<Result<HttpResponse, NetworkError>>>,
        sent: RefCell<Vec<Sent>>,
    }

    impl Script {
        fn answer(self, status: u16, body: &str) -> Self {
            self.answers
                .borrow_mut()
                .push_back(Ok(HttpResponse::new(status, body.as_bytes())));
            self
        }

        fn no_answer(self) -> Self {
            self.answers
                .borrow_mut()
                .push_back(Err(NetworkError("timed out".into())));
            self
        }

        /// `METHOD path` of each request sent.
        fn calls(&self) -> Vec<String> {
            self.sent
                .borrow()
                .iter()
                .map(|s| format!("{} {}", s.method, s.path))
                .collect()
        }
    }

    impl Transport for Script {
        fn send(
            &self,
            request: http::Request<Vec<u8>>,
        ) -> impl Future<Output = Result<HttpResponse, NetworkError>> {
            self.sent.borrow_mut().push(Sent {
                method: request.method().to_string(),
                path: request.uri().path().to_owned(),
                token: request
                    .headers()
                    .get("x-auth-token")
                    .map(|v| v.to_str().unwrap().to_owned()),
                body: String::from_utf8(request.body().clone()).unwrap(),
            });
            let answer = self
                .answers
                .borrow_mut()
                .pop_front()
                .expect("the script ran out of answers");
            std::future::ready(answer)
        }
    }

    /// Runs a future whose every await is immediately ready (the scripted transport's).
    fn run<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the scripted transport never waits"),
        }
    }

    fn client(script: &Script) -> Client<'_, Script> {
        Client::new(
            script,
            ApiBase::default_base(),
            SecretString::copy_from(SIGNER),
        )
    }

    fn key_body(bearer: &str, secret: bool) -> String {
        let secret = if secret {
            format!(r#","secret_key":"{NEW_SECRET}""#)
        } else {
            String::new()
        };
        format!(
            r#"{{"access_key":"SCWNEWKEY0000000000A",{bearer},"description":"","created_at":"2025-11-25T09:00:00Z","expires_at":null,"default_project_id":"{PROJECT}","editable":true,"deletable":true,"managed":false{secret}}}"#
        )
    }

    fn secret_body() -> String {
        format!(
            r#"{{"id":"{SECRET_ID}","project_id":"{PROJECT}","name":"ci","status":"ready","type":"key_value","path":"/"}}"#
        )
    }

    fn new_key() -> NewApiKey {
        NewApiKey {
            bearer: Bearer::User(USER.into()),
            description: String::new(),
            expires_at: None,
            default_project_id: Some(PROJECT.into()),
        }
    }

    fn target() -> SecretTarget {
        SecretTarget {
            region: "fr-par".into(),
            project_id: PROJECT.into(),
            name: "ci".into(),
            path: None,
            description: None,
            tags: vec![],
        }
    }

    #[test]
    fn signer_identity_for_a_user_and_an_application() {
        let script = Script::default()
            .answer(200, &key_body(&format!(r#""user_id":"{USER}""#), false))
            .answer(
                200,
                &format!(
                    r#"{{"id":"{USER}","email":"ops@example.com","organization_id":"{ORG}"}}"#
                ),
            );
        let id = run(get_signer_identity(
            &client(&script),
            "SCWNEWKEY0000000000A",
        ))
        .unwrap();
        assert_eq!(id.organization_id, ORG);
        assert_eq!(id.bearer_name.as_deref(), Some("ops@example.com"));
        assert_eq!(
            script.calls(),
            [
                "GET /iam/v1alpha1/api-keys/SCWNEWKEY0000000000A".to_owned(),
                format!("GET /iam/v1alpha1/users/{USER}")
            ]
        );
        // Every request carried the signer's secret in X-Auth-Token, and only there.
        for sent in script.sent.borrow().iter() {
            assert_eq!(sent.token.as_deref(), Some(SIGNER));
            assert!(!sent.body.contains(SIGNER));
        }

        let script = Script::default()
            .answer(
                200,
                &key_body(&format!(r#""application_id":"{APP}""#), false),
            )
            .answer(
                200,
                &format!(r#"{{"id":"{APP}","name":"ci","organization_id":"{ORG}"}}"#),
            );
        let id = run(get_signer_identity(
            &client(&script),
            "SCWNEWKEY0000000000A",
        ))
        .unwrap();
        assert_eq!(id.key.bearer, Bearer::Application(APP.into()));
        assert_eq!(id.bearer_name.as_deref(), Some("ci"));
        assert_eq!(
            script.calls()[1],
            format!("GET /iam/v1alpha1/applications/{APP}")
        );
    }

    #[test]
    fn create_without_push_is_one_call() {
        let script =
            Script::default().answer(200, &key_body(&format!(r#""user_id":"{USER}""#), true));
        let outcome = run(create_api_key(
            &client(&script),
            &new_key(),
            None,
            None,
            NOW,
        ))
        .unwrap();
        assert_eq!(outcome.created.secret_key.expose_secret(), NEW_SECRET);
        assert!(outcome.pushed.is_none());
        assert_eq!(script.calls(), ["POST /iam/v1alpha1/api-keys"]);
    }

    #[test]
    fn create_and_push_creates_the_secret_first() {
        let script = Script::default()
            .answer(200, &secret_body())
            .answer(200, &key_body(&format!(r#""user_id":"{USER}""#), true))
            .answer(
                200,
                &format!(r#"{{"revision":1,"secret_id":"{SECRET_ID}","status":"enabled"}}"#),
            );
        let outcome = run(create_api_key(
            &client(&script),
            &new_key(),
            Some(&target()),
            None,
            NOW,
        ))
        .unwrap();
        let pushed = outcome.pushed.unwrap();
        assert_eq!(pushed.version.revision, 1);
        assert_eq!(pushed.secret.id, SECRET_ID);
        assert_eq!(
            script.calls(),
            [
                "POST /secret-manager/v1beta1/regions/fr-par/secrets".to_owned(),
                "POST /iam/v1alpha1/api-keys".to_owned(),
                format!("POST /secret-manager/v1beta1/regions/fr-par/secrets/{SECRET_ID}/versions"),
            ]
        );
        // The new secret left only base64-encoded, in the version's data.
        let sent = script.sent.borrow();
        for request in sent.iter() {
            assert!(!request.body.contains(NEW_SECRET));
        }
        let version = json::parse(&sent[2].body).unwrap();
        let data = version.get("data").unwrap().as_str().unwrap();
        let expected =
            format!(r#"{{"access_key":"SCWNEWKEY0000000000A","secret_key":"{NEW_SECRET}"}}"#);
        assert_eq!(
            data,
            crate::scaleway::encode::base64_encode(expected.as_bytes()).as_str()
        );
    }

    #[test]
    fn a_refused_secret_creates_no_key() {
        let script = Script::default().answer(
            409,
            r#"{"type":"already_exists","resource":"secret","resource_id":"unknown","help_message":"secret ci already exists at path /"}"#,
        );
        let err = run(create_api_key(
            &client(&script),
            &new_key(),
            Some(&target()),
            None,
            NOW,
        ))
        .unwrap_err();
        assert_eq!(err.provider_code(), Some("already_exists"));
        assert!(!matches!(err, ScalewayError::Incomplete { .. }));
        assert_eq!(script.calls().len(), 1);
    }

    #[test]
    fn a_refused_key_deletes_the_empty_secret() {
        let script = Script::default()
            .answer(200, &secret_body())
            .answer(403, r#"{"details":[{"current":2,"quota":2,"resource":"api_keys"}],"type":"quotas_exceeded"}"#)
            .answer(204, "");
        let err = run(create_api_key(
            &client(&script),
            &new_key(),
            Some(&target()),
            None,
            NOW,
        ))
        .unwrap_err();
        assert_eq!(err.provider_code(), Some("quotas_exceeded"));
        assert!(
            err.to_string()
                .contains("deleted what it had created (secret ci"),
            "{err}"
        );
        assert_eq!(
            script.calls()[2],
            format!("DELETE /secret-manager/v1beta1/regions/fr-par/secrets/{SECRET_ID}")
        );
    }

    #[test]
    fn a_failed_version_deletes_the_key_and_the_secret() {
        let script = Script::default()
            .answer(200, &secret_body())
            .answer(200, &key_body(&format!(r#""user_id":"{USER}""#), true))
            .answer(500, r#"{"message":"internal error"}"#)
            .answer(204, "")
            .answer(204, "");
        let err = run(create_api_key(
            &client(&script),
            &new_key(),
            Some(&target()),
            None,
            NOW,
        ))
        .unwrap_err();
        match &err {
            ScalewayError::Incomplete {
                undone,
                left_behind,
                ..
            } => {
                assert_eq!(undone.len(), 2, "{undone:?}");
                assert!(undone[0].contains("SCWNEWKEY0000000000A"));
                assert!(left_behind.is_empty());
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(err.status(), Some(500));
        assert_eq!(
            script.calls()[3],
            "DELETE /iam/v1alpha1/api-keys/SCWNEWKEY0000000000A"
        );
        assert!(!err.to_string().contains(NEW_SECRET));
    }

    #[test]
    fn what_cannot_be_undone_is_named() {
        let script = Script::default()
            .answer(200, &secret_body())
            .no_answer()
            .no_answer();
        let err = run(create_api_key(
            &client(&script),
            &new_key(),
            Some(&target()),
            None,
            NOW,
        ))
        .unwrap_err();
        assert_eq!(err.code(), "network");
        let text = err.to_string();
        assert!(text.contains("possibly a new API key"), "{text}");
        assert!(text.contains("could not delete"), "{text}");
        assert!(text.contains(SECRET_ID), "{text}");
    }

    #[test]
    fn bad_arguments_send_nothing() {
        let script = Script::default();
        let bad = NewApiKey {
            description: "x".repeat(201),
            ..new_key()
        };
        assert_eq!(
            run(create_api_key(
                &client(&script),
                &bad,
                Some(&target()),
                None,
                NOW
            ))
            .unwrap_err()
            .code(),
            "invalid_input"
        );
        let bad_target = SecretTarget {
            region: "eu-west-1".into(),
            ..target()
        };
        assert_eq!(
            run(create_api_key(
                &client(&script),
                &new_key(),
                Some(&bad_target),
                None,
                NOW
            ))
            .unwrap_err()
            .code(),
            "invalid_input"
        );
        assert!(script.calls().is_empty());
    }

    fn with_expiry(seconds_from_now: Option<u64>) -> NewApiKey {
        let expires_at = seconds_from_now.map(|s| {
            // NOW is 2025-11-25T09:00:00Z; these offsets stay within that day's month.
            let hours = s / 3600;
            format!(
                "2025-11-{:02}T{:02}:00:00Z",
                25 + hours / 24,
                9 + hours % 24
            )
        });
        NewApiKey {
            expires_at,
            ..new_key()
        }
    }

    #[test]
    fn the_organization_maximum_is_checked_before_the_key_is_created() {
        // A 1-day maximum: a 2-day expiry and "never" are refused after one GET, with no create.
        for key in [with_expiry(Some(2 * 86_400)), with_expiry(None)] {
            let script = Script::default().answer(
                200,
                r#"{"enforce_password_renewal":false,"max_api_key_expiration_duration":"86400s"}"#,
            );
            let err =
                run(create_api_key(&client(&script), &key, None, Some(ORG), NOW)).unwrap_err();
            assert_eq!(err.code(), "expiry_beyond_maximum");
            assert_eq!(err.argument_names(), ["expires_at"]);
            assert!(err.to_string().contains("at most 1 day"), "{err}");
            assert_eq!(
                script.calls(),
                [format!(
                    "GET /iam/v1alpha1/organizations/{ORG}/security-settings"
                )]
            );
        }
        // Within the maximum: the create follows.
        let script = Script::default()
            .answer(200, r#"{"max_api_key_expiration_duration":"86400s"}"#)
            .answer(200, &key_body(&format!(r#""user_id":"{USER}""#), true));
        let key = with_expiry(Some(3600));
        run(create_api_key(&client(&script), &key, None, Some(ORG), NOW)).unwrap();
        assert_eq!(script.calls()[1], "POST /iam/v1alpha1/api-keys");
    }

    #[test]
    fn no_maximum_or_no_permission_to_read_it_lets_the_create_proceed() {
        for settings in [
            (200, r#"{"max_api_key_expiration_duration":"0s"}"#),
            (200, r#"{"max_api_key_expiration_duration":null}"#),
            (200, r#"{}"#),
            (
                403,
                r#"{"type":"permissions_denied","details":[{"resource":"iam_organization","action":"read"}]}"#,
            ),
        ] {
            let script = Script::default()
                .answer(settings.0, settings.1)
                .answer(200, &key_body(&format!(r#""user_id":"{USER}""#), true));
            run(create_api_key(
                &client(&script),
                &with_expiry(None),
                None,
                Some(ORG),
                NOW,
            ))
            .unwrap();
            assert_eq!(script.calls().len(), 2, "{settings:?}");
        }
        // Any other failure stops before the create (the signer's key was refused, say).
        let script = Script::default().answer(
            401,
            r#"{"type":"denied_authentication","method":"api_key","reason":"expired"}"#,
        );
        let err = run(create_api_key(
            &client(&script),
            &new_key(),
            None,
            Some(ORG),
            NOW,
        ))
        .unwrap_err();
        assert_eq!(err.provider_code(), Some("denied_authentication"));
        assert_eq!(script.calls().len(), 1);
    }

    #[test]
    fn the_secret_key_goes_to_the_api_base_only() {
        let script = Script::default();
        let client = Client::new(
            &script,
            ApiBase::default_base(),
            SecretString::copy_from(SIGNER),
        );
        let elsewhere = http::Request::get("https://evil.example/iam/v1alpha1/api-keys")
            .body(Vec::new())
            .unwrap();
        assert_eq!(
            run(client.call(elsewhere)).unwrap_err().code(),
            "host_not_allowed"
        );
        assert!(script.calls().is_empty());
    }
}
