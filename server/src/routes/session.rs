//! `/get-session`, `/list-sessions`, `/revoke-session`, `/revoke-sessions`,
//! `/revoke-other-sessions`, `/update-session`.

use axum::Json;
use axum::extract::RawQuery;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::db::users::field_arg;
use crate::error::{ApiError, ApiResult};
use crate::fields::{Action, parse_input};
use crate::request::{Body, Ctx, Endpoint, raw_query};
use crate::routes::Answer;
use crate::session::Lookup;
use keyward_client::wire::routes as route;
use keyward_client::wire::{
    EmptyRequest, ErrorCode, RevokeSessionRequest, Session, StatusResponse, UpdateSessionRequest, UpdateSessionResponse,
};

impl Endpoint for EmptyRequest {}
impl Endpoint for RevokeSessionRequest {}
impl Endpoint for UpdateSessionRequest {}

/// better-auth coerces these flags with `z.coerce.boolean()`: any non-empty value is true.
fn flag(query: &serde_json::Map<String, serde_json::Value>, name: &str) -> bool {
    query.get(name).and_then(|v| v.as_str()).is_some_and(|v| !v.is_empty())
}

fn no_store(ctx: &Ctx) {
    ctx.set_header(header::CACHE_CONTROL, "no-store");
    ctx.set_header(header::PRAGMA, "no-cache");
}

async fn respond_with_session(mut ctx: Ctx, query: Option<String>, post: bool) -> ApiResult<Response> {
    no_store(&ctx);
    let query = raw_query(query.as_deref());
    let lookup = Lookup {
        disable_cookie_cache: flag(&query, "disableCookieCache"),
        disable_refresh: flag(&query, "disableRefresh"),
        post,
    };
    let data = ctx.get_session(lookup).await?;
    Ok(Json(data).into_response())
}

/// `GET /get-session`: `{session, user}` or `null`, rolling the expiry forward when due.
pub(crate) async fn get_session(ctx: Ctx, RawQuery(query): RawQuery) -> ApiResult<Response> {
    respond_with_session(ctx, query, false).await
}

/// `POST /get-session`: only with deferred refresh, where it performs the refresh.
pub(crate) async fn refresh_session(
    ctx: Ctx,
    RawQuery(query): RawQuery,
    Body(_): Body<EmptyRequest>,
) -> ApiResult<Response> {
    if !ctx.auth.0.config.session.defer_session_refresh {
        no_store(&ctx);
        return Err(ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::MethodNotAllowedDeferSessionRequired,
        ));
    }
    respond_with_session(ctx, query, true).await
}

/// `GET /list-sessions`: the user's live sessions (fresh session required).
pub(crate) async fn list(mut ctx: Ctx) -> Answer<route::ListSessions> {
    let data = ctx.require_fresh_session().await?;
    let now = ctx.now();
    let mut db = ctx.auth.0.db.clone();
    let sessions = ctx.auth.sessions().list_for_user(&mut db, &data.user.id).await?;
    Ok(Json(sessions.into_iter().filter(|s| s.expires_at > now).collect()))
}

/// `POST /revoke-session`: ends one of the user's sessions; `{status:true}` even for
/// unknown tokens.
pub(crate) async fn revoke(mut ctx: Ctx, Body(request): Body<RevokeSessionRequest>) -> Answer<route::RevokeSession> {
    let data = ctx.require_sensitive_session().await?;
    let mut db = ctx.auth.0.db.clone();
    let store = ctx.auth.sessions();
    let owned = store
        .find_with_user(&mut db, request.token.expose())
        .await?
        .is_some_and(|found| found.session.user_id == data.user.id);
    if owned {
        store.delete(&mut db, request.token.expose()).await?;
    }
    if request.token == data.session.token {
        ctx.delete_session_cookies();
    }
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /revoke-sessions`: ends every session of the user, this one included.
pub(crate) async fn revoke_all(mut ctx: Ctx, Body(_): Body<EmptyRequest>) -> Answer<route::RevokeSessions> {
    let data = ctx.require_sensitive_session().await?;
    let mut db = ctx.auth.0.db.clone();
    ctx.auth.sessions().delete_for_user(&mut db, &data.user.id).await?;
    ctx.delete_session_cookies();
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /revoke-other-sessions`: ends every live session of the user but this one.
pub(crate) async fn revoke_others(mut ctx: Ctx, Body(_): Body<EmptyRequest>) -> Answer<route::RevokeOtherSessions> {
    let data = ctx.require_sensitive_session().await?;
    let mut db = ctx.auth.0.db.clone();
    let store = ctx.auth.sessions();
    let others: Vec<Session> = store
        .list_for_user(&mut db, &data.user.id)
        .await?
        .into_iter()
        .filter(|session| session.token != data.session.token)
        .collect();
    let tokens: Vec<&str> = others.iter().map(|session| session.token.expose()).collect();
    store.delete_many(&mut db, &tokens).await?;
    Ok(Json(StatusResponse { status: true }))
}

/// `POST /update-session`: sets the session's configured additional fields.
pub(crate) async fn update(mut ctx: Ctx, Body(request): Body<UpdateSessionRequest>) -> Answer<route::UpdateSession> {
    let mut data = ctx.require_session().await?;
    let auth = ctx.auth.clone();
    let fields = parse_input(&auth.0.fields.session, &request.fields, Action::Update)?;
    if fields.is_empty() {
        return Err(ApiError::message_only(StatusCode::BAD_REQUEST, "No fields to update"));
    }
    let columns = auth
        .0
        .fields
        .session
        .iter()
        .filter_map(|field| {
            fields
                .get(&field.name)
                .map(|value| (field.name.clone(), field_arg(field, value)))
        })
        .collect();
    let mut db = auth.0.db.clone();
    let Some(session) = auth
        .sessions()
        .update(&mut db, data.session.token.expose(), columns, ctx.now())
        .await?
    else {
        ctx.delete_session_cookies();
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, ErrorCode::FailedToGetSession));
    };
    data.session = session;
    ctx.set_session_cookie(&data, None);
    Ok(Json(UpdateSessionResponse { session: data.session }))
}
