//! The api-key plugin's server-only calls, made by either server itself.

use serde_json::{Value, json};

use super::Peer;

impl Peer {
    /// `GET /get-session` with `key` in `x-api-key`: the status and answer (`null` when
    /// the body is not JSON).
    pub async fn key_session(&self, key: &str) -> (u16, Value) {
        let url = self.url().join("/api/auth/get-session").expect("url");
        let answer = reqwest::Client::new()
            .get(url)
            .header("x-api-key", key)
            .send()
            .await
            .expect("answers");
        let status = answer.status().as_u16();
        (status, answer.json().await.unwrap_or(Value::Null))
    }

    /// One of the api-key plugin's server-only calls, `create`, `update` or `verify`
    /// (better-auth's `auth.api.createApiKey`, `updateApiKey` and `verifyApiKey` without
    /// headers; Keyward's `auth.api()` methods of the same names), with `body` as
    /// better-auth takes it. The status and answer: `verify` answers better-auth's
    /// `{valid, error, key}`; a refused call `{message, code}`.
    pub async fn api_key_server_call(&self, call: &str, body: Value) -> (u16, Value) {
        match self {
            Peer::BetterAuth(server) => {
                let url = server.url.join(&format!("/__server/api-key/{call}")).expect("url");
                let answer = reqwest::Client::new()
                    .post(url)
                    .json(&body)
                    .send()
                    .await
                    .expect("the peer answers");
                let status = answer.status().as_u16();
                (status, answer.json().await.expect("JSON"))
            }
            Peer::Keyward(server) => {
                let api = server.auth.api();
                let refused = |error: keyward_server::ApiError| {
                    let body = serde_json::to_value(error.body()).expect("JSON");
                    (error.status().as_u16(), body)
                };
                let answer = match call {
                    "create" => api
                        .create_api_key(serde_json::from_value(body).expect("a create body"))
                        .await
                        .map(|created| serde_json::to_value(created).expect("JSON")),
                    "update" => api
                        .update_api_key(serde_json::from_value(body).expect("an update body"))
                        .await
                        .map(|key| serde_json::to_value(key).expect("JSON")),
                    "verify" => {
                        let key = body["key"].as_str().expect("a key");
                        let permissions = body
                            .get("permissions")
                            .map(|wanted| serde_json::from_value(wanted.clone()).expect("permissions"));
                        let verified = api.verify_api_key(key, permissions.as_ref()).await;
                        return match verified {
                            Ok(key) => (200, json!({"valid": true, "error": null, "key": key})),
                            Err(error) => {
                                let (_, error) = refused(error);
                                (200, json!({"valid": false, "error": error, "key": null}))
                            }
                        };
                    }
                    other => panic!("no server-only call `{other}`"),
                };
                answer.map_or_else(refused, |value| (200, value))
            }
        }
    }
}
