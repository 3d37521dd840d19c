//! `/admin/*` sessions of users: list and revoke them, ban and unban, impersonate.

use super::*;

/// `POST /admin/list-user-sessions`: every session of a user, impersonated ones too.
pub(crate) async fn list_user_sessions(
    mut ctx: Ctx,
    Body(request): Body<UserIdRequest>,
) -> Answer<route::ListUserSessions> {
    admin(
        &mut ctx,
        "session",
        "list",
        ErrorCode::YouAreNotAllowedToListUsersSessions,
    )
    .await?;
    let mut db = ctx.auth.0.db.clone();
    let sessions = ctx.auth.sessions().list_for_user(&mut db, &request.user_id).await?;
    Ok(Json(UserSessions { sessions }))
}

/// `POST /admin/ban-user`: bans a user (for `banExpiresIn` seconds, or the configured
/// default, or for good) and ends all their sessions on every instance.
pub(crate) async fn ban_user(mut ctx: Ctx, Body(request): Body<BanUserRequest>) -> Answer<route::BanUser> {
    let (data, config) = admin(&mut ctx, "user", "ban", ErrorCode::YouAreNotAllowedToBanUsers).await?;
    find_user(&ctx.auth, &request.user_id).await?;
    if request.user_id == data.user.id {
        return Err(ApiError::bad_request(ErrorCode::YouCannotBanYourself));
    }
    let reason = request
        .ban_reason
        .clone()
        .filter(|reason| !reason.is_empty())
        .or_else(|| config.default_ban_reason.clone())
        .unwrap_or_else(|| "No reason".to_owned());
    let now = ctx.now();
    let expires = match request.ban_expires_in.filter(|seconds| *seconds != 0.0) {
        Some(seconds) if seconds.is_finite() => Some(now + Duration::milliseconds((seconds * 1000.0) as i64)),
        Some(_) => {
            return Err(ApiError::validation(
                "[body.banExpiresIn] Invalid input: expected number",
            ));
        }
        None => config
            .default_ban_expires_in
            .and_then(|lasts| Duration::from_std(lasts).ok())
            .map(|lasts| now + lasts),
    };
    let changes = UserChanges::default()
        .set("banned", true)
        .set("banReason", reason)
        .set("banExpires", Arg::Time(expires));
    let auth = ctx.auth.clone();
    let mut db = auth.0.db.clone();
    let user = crate::hooks::update_user(&auth, &mut db, &request.user_id, changes, now)
        .await??
        .ok_or_else(user_not_found)?;
    auth.sessions().delete_for_user(&mut db, &user.id).await?;
    Ok(Json(UserResponse { user }))
}

/// `POST /admin/unban-user`.
pub(crate) async fn unban_user(mut ctx: Ctx, Body(request): Body<UserIdRequest>) -> Answer<route::UnbanUser> {
    admin(&mut ctx, "user", "ban", ErrorCode::YouAreNotAllowedToBanUsers).await?;
    find_user(&ctx.auth, &request.user_id).await?;
    let changes = UserChanges::default()
        .set("banned", false)
        .set("banExpires", Arg::Time(None))
        .set("banReason", Arg::Text(None));
    let user = update(&ctx.auth, &request.user_id, changes).await?;
    Ok(Json(UserResponse { user }))
}

/// `POST /admin/impersonate-user`: signs the admin in as the user for the impersonation
/// duration, keeping the admin's own session in the signed `admin_session` cookie.
pub(crate) async fn impersonate_user(
    mut ctx: Ctx,
    Body(request): Body<UserIdRequest>,
) -> Answer<route::ImpersonateUser> {
    let (data, config) = admin(
        &mut ctx,
        "user",
        "impersonate",
        ErrorCode::YouAreNotAllowedToImpersonateUsers,
    )
    .await?;
    let target = find_user(&ctx.auth, &request.user_id).await?;
    let admin_roles: Vec<&str> = config.admin_roles.iter().map(|role| role.trim()).collect();
    let target_is_admin = target
        .role()
        .unwrap_or(&config.default_role)
        .split(',')
        .any(|role| admin_roles.contains(&role))
        || config.admin_user_ids.contains(&target.id);
    if target_is_admin
        && !config.allow_impersonating_admins
        && !allowed(
            &config,
            &data.user.id,
            data.user.role(),
            &Permissions::new().with("user", ["impersonate-admins"]),
        )
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            ErrorCode::YouCannotImpersonateAdmins,
        ));
    }
    let now = ctx.now();
    let mut record = ctx.new_session_record(&target.id, true, now);
    record.expires_at = now + Duration::from_std(config.impersonation_session_duration).unwrap_or(Duration::hours(1));
    record
        .additional
        .insert("impersonatedBy".to_owned(), Value::String(data.user.id.clone()));
    let auth = ctx.auth.clone();
    let mut db = auth.0.db.clone();
    let session = auth.sessions().create(&mut db, record, &target, now).await?;
    let dont_remember = if ctx.dont_remember_cookie() { "true" } else { "" };
    ctx.delete_session_cookies();
    let names = auth.0.cookies.clone();
    ctx.set_signed_cookie(
        &names.admin_session,
        &format!("{}:{dont_remember}", data.session.token.expose()),
        Some(auth.0.config.session.expires_in),
    );
    let impersonated = SessionData {
        session,
        user: target,
        needs_refresh: None,
    };
    ctx.set_session_cookie(&impersonated, Some(true));
    Ok(Json(impersonated))
}

/// `POST /admin/stop-impersonating`: ends the impersonated session and restores the
/// admin's from the `admin_session` cookie.
pub(crate) async fn stop_impersonating(mut ctx: Ctx) -> Answer<route::StopImpersonating> {
    plugin(&ctx.auth)?;
    let data = ctx.require_session().await?;
    let Some(admin_id) = impersonated_by(&data.session).map(str::to_owned) else {
        return Err(ApiError::message_only(
            StatusCode::BAD_REQUEST,
            "You are not impersonating anyone",
        ));
    };
    let auth = ctx.auth.clone();
    let names = auth.0.cookies.clone();
    // better-auth answers these with a 500; the request is what is wrong, so a 400 here.
    let lost = || ApiError::message_only(StatusCode::BAD_REQUEST, "Failed to find admin session");
    let cookie = ctx
        .cookies
        .signed(&names.admin_session, ctx.secret())
        .value()
        .map(str::to_owned)
        .ok_or_else(lost)?;
    let (admin_token, dont_remember) = cookie.split_once(':').unwrap_or((cookie.as_str(), ""));
    let mut db = auth.0.db.clone();
    let store = auth.sessions();
    let admin_session = store
        .find_with_user(&mut db, admin_token)
        .await?
        .filter(|found| found.session.user_id == admin_id && found.session.expires_at > ctx.now())
        .ok_or_else(lost)?;
    store.delete(&mut db, data.session.token.expose()).await?;
    ctx.set_session_cookie(&admin_session, Some(!dont_remember.is_empty()));
    ctx.out.expire_cookie(&names.admin_session, auth.0.cookies.secure);
    Ok(Json(SessionData {
        needs_refresh: None,
        ..admin_session
    }))
}

/// `POST /admin/revoke-user-session`.
pub(crate) async fn revoke_user_session(
    mut ctx: Ctx,
    Body(request): Body<RevokeUserSessionRequest>,
) -> Answer<route::RevokeUserSession> {
    admin(
        &mut ctx,
        "session",
        "revoke",
        ErrorCode::YouAreNotAllowedToRevokeUsersSessions,
    )
    .await?;
    let mut db = ctx.auth.0.db.clone();
    ctx.auth
        .sessions()
        .delete(&mut db, request.session_token.expose())
        .await?;
    Ok(Json(SuccessResponse { success: true }))
}

/// `POST /admin/revoke-user-sessions`: ends every session of a user on every instance.
pub(crate) async fn revoke_user_sessions(
    mut ctx: Ctx,
    Body(request): Body<UserIdRequest>,
) -> Answer<route::RevokeUserSessions> {
    admin(
        &mut ctx,
        "session",
        "revoke",
        ErrorCode::YouAreNotAllowedToRevokeUsersSessions,
    )
    .await?;
    let mut db = ctx.auth.0.db.clone();
    ctx.auth.sessions().delete_for_user(&mut db, &request.user_id).await?;
    Ok(Json(SuccessResponse { success: true }))
}
