//! `POST /sign-out`.

use crate::log_safe::Escaped;
use axum::Json;

use crate::request::{Body, Ctx, Endpoint};
use crate::routes::Answer;
use keyward_client::wire::routes as route;
use keyward_client::wire::{SignOutRequest, SignOutResponse};

impl Endpoint for SignOutRequest {}

/// `POST /sign-out`: deletes the current session (if any) and expires the cookies.
/// It never fails for a missing session; a session hook's refusal is the answer, and the
/// session and its cookies stay.
pub(crate) async fn sign_out(mut ctx: Ctx, Body(_request): Body<SignOutRequest>) -> Answer<route::SignOut> {
    let auth = ctx.auth.clone();
    let names = &auth.0.cookies;
    if let Some(token) = ctx.cookies.signed(&names.session_token, &auth.0.config.secret).value() {
        let mut db = auth.0.db.clone();
        match auth.sessions().try_delete(&mut db, token).await {
            Ok(Ok(())) => {}
            Ok(Err(refusal)) => return Err(refusal),
            Err(error) => tracing::error!(error = %Escaped(&error), "could not delete the session on sign-out"),
        }
    }
    ctx.delete_session_cookies();
    Ok(Json(SignOutResponse {
        success: true,
        url: None,
        redirect: None,
    }))
}
