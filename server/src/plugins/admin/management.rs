//! `/admin/*` user management: roles, get, create, update, list, remove, set password.

use super::*;

/// `POST /admin/set-role`.
pub(crate) async fn set_role(mut ctx: Ctx, Body(request): Body<SetRoleRequest>) -> Answer<route::SetRole> {
    let (_, config) = admin(
        &mut ctx,
        "user",
        "set-role",
        ErrorCode::YouAreNotAllowedToChangeUsersRole,
    )
    .await?;
    if config.custom_roles {
        let names = match &request.role {
            Roles::One(role) => vec![role.clone()],
            Roles::Many(roles) => roles.clone(),
        };
        if names.iter().any(|name| !config.roles.contains(name)) {
            return Err(ApiError::bad_request(ErrorCode::YouAreNotAllowedToSetNonExistentValue));
        }
    }
    find_user(&ctx.auth, &request.user_id).await?;
    let changes = UserChanges::default().set("role", stored_roles(&request.role));
    let user = update(&ctx.auth, &request.user_id, changes).await?;
    Ok(Json(UserResponse { user }))
}

/// `GET /admin/get-user`.
pub(crate) async fn get_user(mut ctx: Ctx, QueryOf(query): QueryOf<GetUserQuery>) -> Answer<route::GetUser> {
    admin(&mut ctx, "user", "get", ErrorCode::YouAreNotAllowedToGetUser).await?;
    Ok(Json(find_user(&ctx.auth, &query.id).await?))
}

/// `POST /admin/create-user`: a user with the given role (default role otherwise) and,
/// with a password, a credential account.
pub(crate) async fn create_user(mut ctx: Ctx, Body(request): Body<CreateUserRequest>) -> Answer<route::CreateUser> {
    let (data, config) = admin(&mut ctx, "user", "create", ErrorCode::YouAreNotAllowedToCreateUsers).await?;
    let mut user_data = request.data.clone().unwrap_or_default();
    let data_role = user_data.remove("role");
    let requested_role = match (&request.role, data_role) {
        (Some(roles), _) => Some(serde_json::to_value(roles).unwrap_or(Value::Null)),
        (None, role) => role,
    };
    let role = match &requested_role {
        Some(value) => {
            require(
                &config,
                &data.user,
                "user",
                "set-role",
                ErrorCode::YouAreNotAllowedToChangeUsersRole,
            )?;
            checked_roles(&config, value)?
        }
        None => config.default_role.clone(),
    };
    if BAN_FIELDS.iter().any(|key| user_data.contains_key(*key)) {
        require(
            &config,
            &data.user,
            "user",
            "ban",
            ErrorCode::YouAreNotAllowedToBanUsers,
        )?;
    }
    let email = request.email.to_lowercase();
    if !valid_email(&email) {
        return Err(ApiError::bad_request(ErrorCode::InvalidEmail));
    }
    if let Some(password) = &request.password {
        check_password_not_too_long(&ctx, password.expose())?;
    }
    let auth = ctx.auth.clone();
    let mut db = auth.0.db.clone();
    if users::find_by_email(&mut db, &auth.0.fields, &email).await?.is_some() {
        return Err(ApiError::bad_request(ErrorCode::UserAlreadyExistsUseAnotherEmail));
    }
    user_data.remove("email");
    user_data.remove("name");
    let extra = data_changes(&auth, &user_data)?;
    let hash = match &request.password {
        Some(password) if !password.expose().is_empty() => Some(password::hash(password.expose()).await?),
        _ => None,
    };
    let now = ctx.now();
    let mut email_verified = false;
    let mut image = None;
    let mut additional = Map::new();
    for (column, value) in extra.columns {
        match (column.as_str(), value) {
            ("emailVerified", Arg::Bool(verified)) => email_verified = verified.unwrap_or(false),
            ("image", Arg::Text(text)) => image = text,
            (name, _) => {
                if let Some(value) = user_data.get(name) {
                    additional.insert(name.to_owned(), value.clone());
                }
            }
        }
    }
    for field in auth.0.fields.user.iter() {
        if let (None, Some(default)) = (additional.get(&field.name), &field.default) {
            additional.insert(field.name.clone(), default.clone());
        }
    }
    additional.insert("role".to_owned(), Value::String(role));
    let mut new_user = users::NewUser {
        name: request.name.clone(),
        email,
        email_verified,
        image,
        additional,
    };
    auth.0.hooks.before_user_create(&auth, &mut new_user).await?;
    let mut tx = auth.0.db.begin().await?;
    let user = match users::insert(&mut tx, &auth.0.fields, new_user, now).await {
        Ok(user) => user,
        Err(error) if is_unique_violation(&error) => {
            return Err(ApiError::bad_request(ErrorCode::UserAlreadyExistsUseAnotherEmail));
        }
        Err(error) => return Err(error.into()),
    };
    if let Some(hash) = hash {
        crate::hooks::insert_credential_account(&auth, &mut tx, &user.id, &hash, now).await?;
    }
    tx.commit().await?;
    auth.0.hooks.after_user_create(&auth, &user).await;
    Ok(Json(UserResponse { user }))
}

/// `POST /admin/update-user`: any user field but the id and the password; a ban through
/// it ends the user's sessions. Answers the bare user.
pub(crate) async fn update_user(
    mut ctx: Ctx,
    Body(request): Body<AdminUpdateUserRequest>,
) -> Answer<route::UpdateUser> {
    let (data, config) = admin(&mut ctx, "user", "update", ErrorCode::YouAreNotAllowedToUpdateUsers).await?;
    let mut update_data = request.data.clone();
    if update_data.is_empty() {
        return Err(ApiError::bad_request(ErrorCode::NoDataToUpdate));
    }
    if update_data.contains_key("password") {
        return Err(ApiError::bad_request(ErrorCode::PasswordCannotBeUpdatedViaUpdateUser));
    }
    if update_data.contains_key("id") {
        return Err(ApiError::bad_request(ErrorCode::UserIdCannotBeUpdated));
    }
    if let Some(value) = update_data.get("role") {
        require(
            &config,
            &data.user,
            "user",
            "set-role",
            ErrorCode::YouAreNotAllowedToChangeUsersRole,
        )?;
        let role = checked_roles(&config, value)?;
        update_data.insert("role".to_owned(), Value::String(role));
    }
    let bans = update_data.get("banned") == Some(&Value::Bool(true));
    if BAN_FIELDS.iter().any(|key| update_data.contains_key(*key)) {
        require(
            &config,
            &data.user,
            "user",
            "ban",
            ErrorCode::YouAreNotAllowedToBanUsers,
        )?;
        if bans && request.user_id == data.user.id {
            return Err(ApiError::bad_request(ErrorCode::YouCannotBanYourself));
        }
    }
    let auth = ctx.auth.clone();
    if update_data.contains_key("email") || update_data.contains_key("emailVerified") {
        require(
            &config,
            &data.user,
            "user",
            "set-email",
            ErrorCode::YouAreNotAllowedToSetUsersEmail,
        )?;
        if let Some(email) = update_data.get("email") {
            let email = match email {
                Value::String(email) => email.to_lowercase(),
                other => other.to_string().to_lowercase(),
            };
            if !valid_email(&email) {
                return Err(ApiError::bad_request(ErrorCode::InvalidEmail));
            }
            let mut db = auth.0.db.clone();
            if let Some(existing) = users::find_by_email(&mut db, &auth.0.fields, &email).await?
                && existing.id != request.user_id
            {
                return Err(ApiError::bad_request(ErrorCode::UserAlreadyExistsUseAnotherEmail));
            }
            update_data.insert("email".to_owned(), Value::String(email));
        }
    }
    if update_data.contains_key("phoneNumber") || update_data.contains_key("phoneNumberVerified") {
        require(
            &config,
            &data.user,
            "user",
            "set-phone",
            ErrorCode::YouAreNotAllowedToSetUsersPhoneNumber,
        )?;
    }
    find_user(&auth, &request.user_id).await?;
    let changes = data_changes(&auth, &update_data)?;
    let mut db = auth.0.db.clone();
    let user = match crate::hooks::update_user(&auth, &mut db, &request.user_id, changes, ctx.now()).await? {
        Ok(Some(user)) => user,
        Ok(None) => return Err(user_not_found()),
        Err(error) if is_unique_violation(&error) => {
            return Err(ApiError::bad_request(ErrorCode::UserAlreadyExistsUseAnotherEmail));
        }
        Err(error) => return Err(error.into()),
    };
    if bans {
        auth.sessions().delete_for_user(&mut db, &user.id).await?;
    } else {
        auth.sessions().refresh_user(&user).await?;
    }
    Ok(Json(user))
}

/// A user column `list-users` may search, filter or sort by, with its type.
fn user_column(auth: &Auth, name: &str) -> Option<(String, FieldType)> {
    let core = match name {
        "id" | "name" | "email" | "image" => Some(FieldType::String),
        "emailVerified" => Some(FieldType::Boolean),
        "createdAt" | "updatedAt" => Some(FieldType::Date),
        _ => None,
    };
    core.map(|kind| (name.to_owned(), kind)).or_else(|| {
        auth.0
            .fields
            .user
            .iter()
            .find(|field| field.name == name)
            .map(|field| (field.name.clone(), field.field_type))
    })
}

/// A query value as an argument for a column of `kind` (`None`: it cannot be one).
fn typed_arg(kind: FieldType, text: &str) -> Option<Arg> {
    match kind {
        FieldType::String => Some(Arg::from(text)),
        // As better-auth's adapter reads a string for a boolean column: `"true"` or not.
        FieldType::Boolean => Some(Arg::Bool(Some(text == "true"))),
        FieldType::Number | FieldType::BigInt => text.trim().parse::<f64>().ok().map(|n| {
            if n.fract() == 0.0 {
                Arg::Int(Some(n as i64))
            } else {
                Arg::Float(Some(n))
            }
        }),
        FieldType::Date => parse_iso(text).map(Arg::from),
    }
}

/// One `where` fragment for `list-users`, numbering its placeholders from `first`; `None`
/// for an unknown operator or a value the column cannot hold.
fn condition(
    column: &str,
    kind: FieldType,
    operator: &str,
    value: &FilterValue,
    first: usize,
) -> Option<(String, Vec<Arg>)> {
    where_operator(
        &format!("\"{column}\""),
        operator,
        value,
        first,
        |text| typed_arg(kind, text).ok_or(()),
        || (),
    )
    .ok()
    .flatten()
}

/// The listing a `list-users` query asks for; `None` when it names a field users do not
/// have or a value the field cannot hold (better-auth then answers an empty list).
fn listing(auth: &Auth, query: &ListUsersQuery) -> Option<UserListing> {
    let number = |raw: &Option<String>| {
        raw.as_deref()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite() && *n != 0.0)
    };
    let mut listing = UserListing {
        limit: number(&query.limit).map(|n| n.max(0.0) as i64),
        offset: number(&query.offset).map(|n| n.max(0.0) as i64).unwrap_or(0),
        ..UserListing::default()
    };
    let mut next = 1;
    if let Some(search) = query.search_value.as_deref().filter(|v| !v.is_empty()) {
        let (column, kind) = user_column(auth, query.search_field.as_deref().unwrap_or("email"))?;
        let operator = query.search_operator.as_deref().unwrap_or("contains");
        let fragment = condition(&column, kind, operator, &FilterValue::One(search.to_owned()), next)?;
        next += fragment.1.len();
        listing.conditions.push(fragment);
    }
    if let Some(value) = &query.filter_value {
        let (column, kind) = user_column(auth, query.filter_field.as_deref().unwrap_or("email"))?;
        let operator = query.filter_operator.as_deref().unwrap_or("eq");
        listing
            .conditions
            .push(condition(&column, kind, operator, value, next)?);
    }
    if let Some(sort_by) = query.sort_by.as_deref().filter(|s| !s.is_empty()) {
        let (column, _) = user_column(auth, sort_by)?;
        listing.sort = Some((column, query.sort_direction.as_deref() == Some("desc")));
    }
    Some(listing)
}

/// `GET /admin/list-users`: a page of users matching a search and a filter, and the
/// total.
pub(crate) async fn list_users(mut ctx: Ctx, QueryOf(query): QueryOf<ListUsersQuery>) -> Answer<route::ListUsers> {
    admin(&mut ctx, "user", "list", ErrorCode::YouAreNotAllowedToListUsers).await?;
    let auth = ctx.auth.clone();
    let Some(listing) = listing(&auth, &query) else {
        return Ok(Json(UserList {
            users: Vec::new(),
            total: 0,
            limit: None,
            offset: None,
        }));
    };
    let mut db = auth.0.db.clone();
    let (users, total) = users::list(&mut db, &auth.0.fields, &listing).await?;
    Ok(Json(UserList {
        users,
        total,
        limit: listing.limit.map(|n| n as u64),
        offset: (listing.offset > 0).then_some(listing.offset as u64),
    }))
}

/// `POST /admin/remove-user`: deletes a user with their sessions, accounts and plugin
/// data.
pub(crate) async fn remove_user(mut ctx: Ctx, Body(request): Body<UserIdRequest>) -> Answer<route::RemoveUser> {
    let (data, _) = admin(&mut ctx, "user", "delete", ErrorCode::YouAreNotAllowedToDeleteUsers).await?;
    if request.user_id == data.user.id {
        return Err(ApiError::bad_request(ErrorCode::YouCannotRemoveYourself));
    }
    find_user(&ctx.auth, &request.user_id).await?;
    let mut db = ctx.auth.0.db.clone();
    ctx.auth.sessions().delete_for_user(&mut db, &request.user_id).await?;
    remove_user_data(&ctx.auth, &request.user_id).await?;
    Ok(Json(SuccessResponse { success: true }))
}

/// `POST /admin/set-user-password`: sets (or creates) the user's credential password.
pub(crate) async fn set_user_password(
    mut ctx: Ctx,
    Body(request): Body<SetUserPasswordRequest>,
) -> Answer<route::SetUserPassword> {
    admin(
        &mut ctx,
        "user",
        "set-password",
        ErrorCode::YouAreNotAllowedToSetUsersPassword,
    )
    .await?;
    check_new_password(&ctx, request.new_password.expose())?;
    let user = find_user(&ctx.auth, &request.user_id).await?;
    let hash = password::hash(request.new_password.expose()).await?;
    let now = ctx.now();
    // The lookup and the insert under one lock: parallel calls make one credential account.
    let mut tx = ctx.auth.0.db.begin().await?;
    tx.lock(Lock::UserCredential(&user.id)).await?;
    match accounts::find_credential(&mut tx, &user.id).await? {
        Some(account) => crate::hooks::set_password(&ctx.auth, &mut tx, &account, &hash, now).await?,
        None => crate::hooks::insert_credential_account(&ctx.auth, &mut tx, &user.id, &hash, now).await?,
    }
    tx.commit().await?;
    Ok(Json(StatusResponse { status: true }))
}
