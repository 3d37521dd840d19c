//! Every endpoint of the protocol, once: its method, its path (relative to the base path)
//! and the types it takes and answers.
//!
//! Each endpoint is a zero-sized marker type implementing [`Route`]. The client sends its
//! requests through these declarations and the server registers its routes from them, so a
//! change of path, method, request or response type here changes (or breaks the build of)
//! both sides at once.
//!
//! The core routes are at the top of this module; each plugin's are in a submodule named
//! after it ([`two_factor`], [`organization`], [`passkey`], [`admin`],
//! [`one_time_token`], [`electron`], [`device_authorization`], [`magic_link`],
//! [`username`], [`email_otp`], [`phone_number`], [`anonymous`], [`multi_session`]). [`CORE`] and each submodule's `ROUTES` list them in declaration order,
//! and [`GROUPS`] lists the lists.
//!
//! Path parameters keep axum's brace syntax (`/reset-password/{token}`); a client fills
//! them with [`Route::path_with`], percent-encoding the value first.
//!
//! ```
//! use keyward_client::wire::routes::{self, HttpMethod, Route};
//!
//! assert_eq!(routes::SignOut::METHOD, HttpMethod::Post);
//! assert_eq!(routes::SignOut::PATH, "/sign-out");
//! assert_eq!(routes::ResetPasswordCallback::path_with("abc"), "/reset-password/abc");
//! ```

use super::{
    AccessTokenResponse, AccountInfoQuery, AccountInfoResponse, AccountSelector, AccountSummary, CallbackParams,
    ChangeEmailRequest, ChangePasswordRequest, ChangePasswordResponse, DeleteUserCallbackQuery, DeleteUserRequest,
    EmptyRequest, ErrorPageQuery, GetSessionQuery, LinkSocialRequest, LinkSocialResponse, OkResponse,
    RefreshTokenResponse, RequestPasswordResetRequest, RequestPasswordResetResponse, ResetPasswordCallbackQuery,
    ResetPasswordRequest, RevokeSessionRequest, SendVerificationEmailRequest, Session, SessionData, SignInEmailRequest,
    SignInOutcome, SignInSocialRequest, SignOutRequest, SignOutResponse, SignUpEmailRequest, SignUpResponse,
    SocialSignInOutcome, StatusResponse, SuccessMessage, UnlinkAccountRequest, UpdateSessionRequest,
    UpdateSessionResponse, UpdateUserRequest, VerifyEmailQuery, VerifyEmailResponse, VerifyPasswordRequest,
};

/// An HTTP method (better-auth routes only these two).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl HttpMethod {
    /// The method name.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

/// What the body of a `POST` route may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyEncoding {
    /// A JSON body (or none).
    Json,
    /// A JSON body or an HTML form (`application/x-www-form-urlencoded` or
    /// `multipart/form-data`), which better-auth guards with its form CSRF rules (Fetch
    /// Metadata) on top of the origin check: sign-in and sign-up by email.
    JsonOrForm,
    /// An OAuth provider's cross-site `form_post` (`response_mode=form_post`), a form
    /// without the form CSRF rules.
    ProviderForm,
    /// A JSON body or an `application/x-www-form-urlencoded` form, as an OAuth client
    /// posts it (RFC 8628's device authorization request), without the form CSRF rules.
    OAuthForm,
}

/// One endpoint: a marker type whose constants and associated types say how it is called.
pub trait Route {
    /// The method.
    const METHOD: HttpMethod;
    /// The path relative to the base path, parameters in braces (`/callback/{id}`).
    const PATH: &'static str;
    /// What the body of a `POST` route may be (JSON unless stated; unused for `GET`).
    const BODY: BodyEncoding = BodyEncoding::Json;
    /// The JSON body of a `POST`, or the query of a `GET`; `()` when there is none.
    type Request;
    /// The JSON answer; `()` for a redirect or an HTML page.
    type Response;

    /// [`PATH`](Route::PATH) with its `{parameter}` replaced by `segment`, which the
    /// caller has percent-encoded; `PATH` as it is when it has no parameter.
    fn path_with(segment: &str) -> String {
        fill_path(Self::PATH, segment)
    }
}

/// Whether `path` has a `{parameter}`, at compile time.
#[cfg(feature = "client")]
pub(crate) const fn has_parameter(path: &str) -> bool {
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            return true;
        }
        i += 1;
    }
    false
}

/// `path` with its first `{parameter}` replaced by `segment`.
fn fill_path(path: &str, segment: &str) -> String {
    let Some(open) = path.find('{') else {
        return path.to_owned();
    };
    match path[open..].find('}') {
        Some(close) => format!("{}{segment}{}", &path[..open], &path[open + close + 1..]),
        None => path.to_owned(),
    }
}

/// A route as data, for listing and checking the declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// The marker type's name (`SignOut`).
    pub name: &'static str,
    /// [`Route::METHOD`].
    pub method: HttpMethod,
    /// [`Route::PATH`].
    pub path: &'static str,
    /// [`Route::BODY`].
    pub body: BodyEncoding,
}

impl RouteSpec {
    /// The spec of route `R`, named `name`.
    pub const fn of<R: Route>(name: &'static str) -> Self {
        Self {
            name,
            method: R::METHOD,
            path: R::PATH,
            body: R::BODY,
        }
    }
}

/// Declares one marker type per route, and the list of them.
macro_rules! routes {
    (
        $(#[$list_doc:meta])*
        pub const $list:ident;
        $(
            $(#[$doc:meta])*
            $name:ident: $method:ident $path:literal $(as $body:ident)?, $request:ty => $response:ty;
        )*
    ) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
            pub struct $name;

            impl $crate::wire::routes::Route for $name {
                const METHOD: $crate::wire::routes::HttpMethod = $crate::wire::routes::HttpMethod::$method;
                const PATH: &'static str = $path;
                $(const BODY: $crate::wire::routes::BodyEncoding = $crate::wire::routes::BodyEncoding::$body;)?
                type Request = $request;
                type Response = $response;
            }
        )*

        $(#[$list_doc])*
        pub const $list: &[$crate::wire::routes::RouteSpec] = &[
            $($crate::wire::routes::RouteSpec::of::<$name>(stringify!($name)),)*
        ];
    };
}

/// Every route's list: the core's, then each plugin's.
pub const GROUPS: &[&[RouteSpec]] = &[
    CORE,
    two_factor::ROUTES,
    organization::ROUTES,
    passkey::ROUTES,
    admin::ROUTES,
    one_time_token::ROUTES,
    electron::ROUTES,
    device_authorization::ROUTES,
    magic_link::ROUTES,
    username::ROUTES,
    email_otp::ROUTES,
    phone_number::ROUTES,
    anonymous::ROUTES,
    multi_session::ROUTES,
];

routes! {
    /// The core routes (no plugin), in declaration order.
    pub const CORE;

    // Health and the error page.

    /// `GET /ok`: whether the server answers.
    HealthCheck: Get "/ok", () => OkResponse;
    /// `GET /error`: the page a failed flow ends on without an error callback URL. An HTML
    /// page, or a redirect to the configured error URL.
    ErrorPage: Get "/error", ErrorPageQuery => ();

    // Sign-up, sign-in and sign-out.

    /// `POST /sign-up/email`: creates an account (and, unless verification is required,
    /// signs in).
    SignUpEmail: Post "/sign-up/email" as JsonOrForm, SignUpEmailRequest => SignUpResponse;
    /// `POST /sign-in/email`: a session, or a two-factor challenge.
    SignInEmail: Post "/sign-in/email" as JsonOrForm, SignInEmailRequest => SignInOutcome;
    /// `POST /sign-out`: ends the session.
    SignOut: Post "/sign-out", SignOutRequest => SignOutResponse;

    // Sessions.

    /// `GET /get-session`: the current session, `null` without one.
    GetSession: Get "/get-session", GetSessionQuery => Option<SessionData>;
    /// `POST /get-session`: the current session, refreshed (servers that defer session
    /// refreshes answer `needsRefresh` on the `GET`).
    RefreshSession: Post "/get-session", EmptyRequest => Option<SessionData>;
    /// `GET /list-sessions`: every live session of the user.
    ListSessions: Get "/list-sessions", () => Vec<Session>;
    /// `POST /revoke-session`: ends one session of the user.
    RevokeSession: Post "/revoke-session", RevokeSessionRequest => StatusResponse;
    /// `POST /revoke-sessions`: ends every session of the user.
    RevokeSessions: Post "/revoke-sessions", EmptyRequest => StatusResponse;
    /// `POST /revoke-other-sessions`: ends every session of the user but the current one.
    RevokeOtherSessions: Post "/revoke-other-sessions", EmptyRequest => StatusResponse;
    /// `POST /update-session`: sets the session's additional fields.
    UpdateSession: Post "/update-session", UpdateSessionRequest => UpdateSessionResponse;

    // The user.

    /// `POST /update-user`: name, image and additional fields.
    UpdateUser: Post "/update-user", UpdateUserRequest => StatusResponse;
    /// `POST /change-email`: starts (or makes) an email change.
    ChangeEmail: Post "/change-email", ChangeEmailRequest => StatusResponse;
    /// `POST /delete-user`: deletes the user, or sends a confirmation email.
    DeleteUser: Post "/delete-user", DeleteUserRequest => SuccessMessage;
    /// `GET /delete-user/callback`: confirms a deletion with the emailed token (a redirect
    /// when the query has a callback URL).
    DeleteUserCallback: Get "/delete-user/callback", DeleteUserCallbackQuery => SuccessMessage;

    // Passwords.

    /// `POST /change-password`.
    ChangePassword: Post "/change-password", ChangePasswordRequest => ChangePasswordResponse;
    /// `POST /verify-password`: checks the user's password.
    VerifyPassword: Post "/verify-password", VerifyPasswordRequest => StatusResponse;
    /// `POST /request-password-reset`: emails a reset link.
    RequestPasswordReset: Post "/request-password-reset", RequestPasswordResetRequest => RequestPasswordResetResponse;
    /// `POST /reset-password`: sets a new password with the token of a reset link.
    ResetPassword: Post "/reset-password", ResetPasswordRequest => StatusResponse;
    /// `GET /reset-password/{token}`: the link of a reset email; a redirect to the callback
    /// URL with the token, or with `?error=INVALID_TOKEN`.
    ResetPasswordCallback: Get "/reset-password/{token}", ResetPasswordCallbackQuery => ();

    // Email verification.

    /// `POST /send-verification-email`.
    SendVerificationEmail: Post "/send-verification-email", SendVerificationEmailRequest => StatusResponse;
    /// `GET /verify-email`: verifies an address (or completes an email change) with the
    /// emailed token (a redirect when the query has a callback URL).
    VerifyEmail: Get "/verify-email", VerifyEmailQuery => VerifyEmailResponse;

    // Accounts.

    /// `GET /list-accounts`: the user's credential and OAuth accounts.
    ListAccounts: Get "/list-accounts", () => Vec<AccountSummary>;
    /// `POST /unlink-account`.
    UnlinkAccount: Post "/unlink-account", UnlinkAccountRequest => StatusResponse;
    /// `GET /account-info`: the provider's profile of an OAuth account.
    AccountInfo: Get "/account-info", AccountInfoQuery => AccountInfoResponse;
    /// `POST /get-access-token`: a valid access token of a provider account.
    GetAccessToken: Post "/get-access-token", AccountSelector => AccessTokenResponse;
    /// `POST /refresh-token`: new tokens from the provider.
    RefreshToken: Post "/refresh-token", AccountSelector => RefreshTokenResponse;

    // Social sign-in.

    /// `POST /sign-in/social`: the provider URL to open, or a session for an ID token.
    SignInSocial: Post "/sign-in/social", SignInSocialRequest => SocialSignInOutcome;
    /// `GET /callback/{id}`: where a provider sends the browser back; a redirect.
    SocialCallback: Get "/callback/{id}", CallbackParams => ();
    /// `POST /callback/{id}`: a provider's `form_post` of the same parameters; a redirect
    /// to the `GET`.
    SocialCallbackForm: Post "/callback/{id}" as ProviderForm, CallbackParams => ();
    /// `POST /link-social`: links a provider account to the user.
    LinkSocial: Post "/link-social", LinkSocialRequest => LinkSocialResponse;
}

/// The two-factor plugin's routes (better-auth `twoFactor`).
pub mod two_factor {
    use crate::wire::{
        BackupCodesResponse, EnableTwoFactorRequest, EnableTwoFactorResponse, SendOtpRequest, StatusResponse,
        TotpUriResponse, TwoFactorPasswordRequest, TwoFactorVerifyResponse, VerifyBackupCodeRequest, VerifyCodeRequest,
    };

    routes! {
        /// The two-factor routes, in declaration order.
        pub const ROUTES;

        /// `POST /two-factor/enable`: sets up TOTP or emailed codes.
        Enable: Post "/two-factor/enable", EnableTwoFactorRequest => EnableTwoFactorResponse;
        /// `POST /two-factor/disable`.
        Disable: Post "/two-factor/disable", TwoFactorPasswordRequest => StatusResponse;
        /// `POST /two-factor/get-totp-uri`: the setup URI again.
        GetTotpUri: Post "/two-factor/get-totp-uri", TwoFactorPasswordRequest => TotpUriResponse;
        /// `POST /two-factor/verify-totp`: an authenticator code.
        VerifyTotp: Post "/two-factor/verify-totp", VerifyCodeRequest => TwoFactorVerifyResponse;
        /// `POST /two-factor/send-otp`: sends a code.
        SendOtp: Post "/two-factor/send-otp", SendOtpRequest => StatusResponse;
        /// `POST /two-factor/verify-otp`: a sent code.
        VerifyOtp: Post "/two-factor/verify-otp", VerifyCodeRequest => TwoFactorVerifyResponse;
        /// `POST /two-factor/generate-backup-codes`: a new set of backup codes.
        GenerateBackupCodes: Post "/two-factor/generate-backup-codes", TwoFactorPasswordRequest => BackupCodesResponse;
        /// `POST /two-factor/verify-backup-code`: a backup code, then spent.
        VerifyBackupCode: Post "/two-factor/verify-backup-code", VerifyBackupCodeRequest => TwoFactorVerifyResponse;
    }
}

/// The organization plugin's routes (better-auth `organization`); the team routes exist
/// only with teams enabled, the role routes only with dynamic access control.
pub mod organization {
    use crate::wire::StatusResponse;
    use crate::wire::organization::{
        CheckSlugRequest, CreateOrganizationRequest, CreateRoleRequest, CreateTeamRequest, CreatedOrganization,
        CreatedRole, FullOrganization, GetInvitationQuery, HasPermissionRequest, HasPermissionResponse, Invitation,
        InvitationDetails, InvitationIdRequest, InvitationResponse, InviteMemberRequest, ListMembersQuery, Member,
        MemberList, MemberRole, MemberRoleQuery, MessageResponse, Organization, OrganizationIdQuery,
        OrganizationIdRequest, OrganizationQuery, OrganizationRole, RemoveMemberRequest, RemoveTeamRequest,
        RemovedMember, RoleSelector, SetActiveOrganizationRequest, SetActiveTeamRequest, SuccessResponse, Team,
        TeamMember, TeamMemberRequest, TeamMembersQuery, UpdateMemberRoleRequest, UpdateOrganizationRequest,
        UpdateRoleRequest, UpdateTeamRequest, UpdatedRole, UserInvitation, UserInvitationsQuery, UserTeamsQuery,
    };

    routes! {
        /// The organization routes, in declaration order.
        pub const ROUTES;

        // Organizations.

        /// `POST /organization/create`.
        Create: Post "/organization/create", CreateOrganizationRequest => CreatedOrganization;
        /// `POST /organization/check-slug`: whether a slug is free.
        CheckSlug: Post "/organization/check-slug", CheckSlugRequest => StatusResponse;
        /// `POST /organization/update`.
        Update: Post "/organization/update", UpdateOrganizationRequest => Organization;
        /// `POST /organization/delete`.
        Delete: Post "/organization/delete", OrganizationIdRequest => Organization;
        /// `GET /organization/get-organization`: the active organization unless named.
        GetOrganization: Get "/organization/get-organization", OrganizationQuery => Option<Organization>;
        /// `GET /organization/get-full-organization`: with members, invitations and teams.
        GetFullOrganization: Get "/organization/get-full-organization", OrganizationQuery => Option<FullOrganization>;
        /// `POST /organization/set-active`: sets (or clears) the session's active organization.
        SetActive: Post "/organization/set-active", SetActiveOrganizationRequest => Option<Organization>;
        /// `GET /organization/list`: the caller's organizations.
        List: Get "/organization/list", OrganizationIdQuery => Vec<Organization>;

        // Invitations.

        /// `POST /organization/invite-member`.
        InviteMember: Post "/organization/invite-member", InviteMemberRequest => Invitation;
        /// `POST /organization/accept-invitation`.
        AcceptInvitation: Post "/organization/accept-invitation", InvitationIdRequest => InvitationResponse;
        /// `POST /organization/reject-invitation`.
        RejectInvitation: Post "/organization/reject-invitation", InvitationIdRequest => InvitationResponse;
        /// `POST /organization/cancel-invitation`.
        CancelInvitation: Post "/organization/cancel-invitation", InvitationIdRequest => Option<Invitation>;
        /// `GET /organization/get-invitation`: an invitation to the caller.
        GetInvitation: Get "/organization/get-invitation", GetInvitationQuery => InvitationDetails;
        /// `GET /organization/list-invitations`: an organization's invitations.
        ListInvitations: Get "/organization/list-invitations", OrganizationIdQuery => Vec<Invitation>;
        /// `GET /organization/list-user-invitations`: pending invitations to the caller.
        ListUserInvitations: Get "/organization/list-user-invitations", UserInvitationsQuery => Vec<UserInvitation>;

        // Members.

        /// `POST /organization/remove-member`.
        RemoveMember: Post "/organization/remove-member", RemoveMemberRequest => RemovedMember;
        /// `POST /organization/update-member-role`.
        UpdateMemberRole: Post "/organization/update-member-role", UpdateMemberRoleRequest => Member;
        /// `GET /organization/get-active-member`: the caller's membership of the active
        /// organization.
        GetActiveMember: Get "/organization/get-active-member", OrganizationIdQuery => Member;
        /// `GET /organization/get-active-member-role`.
        GetActiveMemberRole: Get "/organization/get-active-member-role", MemberRoleQuery => MemberRole;
        /// `POST /organization/leave`.
        Leave: Post "/organization/leave", OrganizationIdRequest => Member;
        /// `GET /organization/list-members`.
        ListMembers: Get "/organization/list-members", ListMembersQuery => MemberList;
        /// `POST /organization/has-permission`: whether the caller's roles grant permissions.
        HasPermission: Post "/organization/has-permission", HasPermissionRequest => HasPermissionResponse;

        // Teams.

        /// `POST /organization/create-team`.
        CreateTeam: Post "/organization/create-team", CreateTeamRequest => Team;
        /// `GET /organization/list-teams`.
        ListTeams: Get "/organization/list-teams", OrganizationIdQuery => Vec<Team>;
        /// `POST /organization/update-team`.
        UpdateTeam: Post "/organization/update-team", UpdateTeamRequest => Team;
        /// `POST /organization/remove-team`.
        RemoveTeam: Post "/organization/remove-team", RemoveTeamRequest => MessageResponse;
        /// `POST /organization/set-active-team`: sets (or clears) the session's active team.
        SetActiveTeam: Post "/organization/set-active-team", SetActiveTeamRequest => Option<Team>;
        /// `GET /organization/list-user-teams`.
        ListUserTeams: Get "/organization/list-user-teams", UserTeamsQuery => Vec<Team>;
        /// `GET /organization/list-team-members`.
        ListTeamMembers: Get "/organization/list-team-members", TeamMembersQuery => Vec<TeamMember>;
        /// `POST /organization/add-team-member`.
        AddTeamMember: Post "/organization/add-team-member", TeamMemberRequest => TeamMember;
        /// `POST /organization/remove-team-member`.
        RemoveTeamMember: Post "/organization/remove-team-member", TeamMemberRequest => MessageResponse;

        // Dynamic roles.

        /// `POST /organization/create-role`.
        CreateRole: Post "/organization/create-role", CreateRoleRequest => CreatedRole;
        /// `POST /organization/delete-role`.
        DeleteRole: Post "/organization/delete-role", RoleSelector => SuccessResponse;
        /// `GET /organization/list-roles`.
        ListRoles: Get "/organization/list-roles", OrganizationIdQuery => Vec<OrganizationRole>;
        /// `GET /organization/get-role`.
        GetRole: Get "/organization/get-role", RoleSelector => OrganizationRole;
        /// `POST /organization/update-role`.
        UpdateRole: Post "/organization/update-role", UpdateRoleRequest => UpdatedRole;
    }
}

/// The passkey plugin's routes (better-auth `passkey`).
pub mod passkey {
    use crate::wire::{
        CreationOptions, DeletePasskeyRequest, Passkey, RegisterOptionsQuery, RequestOptions, SessionData,
        StatusResponse, UpdatePasskeyRequest, UpdatePasskeyResponse, VerifyAuthenticationRequest,
        VerifyRegistrationRequest, VerifyRegistrationResponse,
    };

    routes! {
        /// The passkey routes, in declaration order.
        pub const ROUTES;

        /// `GET /passkey/generate-register-options`: the options of a registration ceremony.
        GenerateRegisterOptions: Get "/passkey/generate-register-options", RegisterOptionsQuery => CreationOptions;
        /// `POST /passkey/verify-registration`: stores the new passkey.
        VerifyRegistration: Post "/passkey/verify-registration",
            VerifyRegistrationRequest => VerifyRegistrationResponse;
        /// `GET /passkey/generate-authenticate-options`: the options of a sign-in ceremony.
        GenerateAuthenticateOptions: Get "/passkey/generate-authenticate-options", () => RequestOptions;
        /// `POST /passkey/verify-authentication`: signs in.
        VerifyAuthentication: Post "/passkey/verify-authentication", VerifyAuthenticationRequest => SessionData;
        /// `GET /passkey/list-user-passkeys`.
        ListUserPasskeys: Get "/passkey/list-user-passkeys", () => Vec<Passkey>;
        /// `POST /passkey/delete-passkey`.
        DeletePasskey: Post "/passkey/delete-passkey", DeletePasskeyRequest => StatusResponse;
        /// `POST /passkey/update-passkey`: renames a passkey.
        UpdatePasskey: Post "/passkey/update-passkey", UpdatePasskeyRequest => UpdatePasskeyResponse;
    }
}

/// The admin plugin's routes (better-auth `admin`).
pub mod admin {
    use crate::wire::admin::{
        AdminUpdateUserRequest, BanUserRequest, CreateUserRequest, GetUserQuery, ListUsersQuery,
        RevokeUserSessionRequest, SetRoleRequest, SetUserPasswordRequest, UserHasPermissionRequest, UserIdRequest,
        UserList, UserResponse, UserSessions,
    };
    use crate::wire::organization::{HasPermissionResponse, SuccessResponse};
    use crate::wire::{EmptyRequest, SessionData, StatusResponse, User};

    routes! {
        /// The admin routes, in declaration order.
        pub const ROUTES;

        /// `POST /admin/set-role`.
        SetRole: Post "/admin/set-role", SetRoleRequest => UserResponse;
        /// `GET /admin/get-user`.
        GetUser: Get "/admin/get-user", GetUserQuery => User;
        /// `POST /admin/create-user`.
        CreateUser: Post "/admin/create-user", CreateUserRequest => UserResponse;
        /// `POST /admin/update-user`.
        UpdateUser: Post "/admin/update-user", AdminUpdateUserRequest => User;
        /// `GET /admin/list-users`: searched, paged, sorted and filtered.
        ListUsers: Get "/admin/list-users", ListUsersQuery => UserList;
        /// `POST /admin/list-user-sessions`.
        ListUserSessions: Post "/admin/list-user-sessions", UserIdRequest => UserSessions;
        /// `POST /admin/ban-user`.
        BanUser: Post "/admin/ban-user", BanUserRequest => UserResponse;
        /// `POST /admin/unban-user`.
        UnbanUser: Post "/admin/unban-user", UserIdRequest => UserResponse;
        /// `POST /admin/impersonate-user`: a session as the user.
        ImpersonateUser: Post "/admin/impersonate-user", UserIdRequest => SessionData;
        /// `POST /admin/stop-impersonating`: the admin's session back.
        StopImpersonating: Post "/admin/stop-impersonating", EmptyRequest => SessionData;
        /// `POST /admin/revoke-user-session`.
        RevokeUserSession: Post "/admin/revoke-user-session", RevokeUserSessionRequest => SuccessResponse;
        /// `POST /admin/revoke-user-sessions`.
        RevokeUserSessions: Post "/admin/revoke-user-sessions", UserIdRequest => SuccessResponse;
        /// `POST /admin/remove-user`.
        RemoveUser: Post "/admin/remove-user", UserIdRequest => SuccessResponse;
        /// `POST /admin/set-user-password`.
        SetUserPassword: Post "/admin/set-user-password", SetUserPasswordRequest => StatusResponse;
        /// `POST /admin/has-permission`: whether the caller's role grants permissions.
        HasPermission: Post "/admin/has-permission", UserHasPermissionRequest => HasPermissionResponse;
    }
}

/// The one-time-token plugin's routes (better-auth `oneTimeToken`).
pub mod one_time_token {
    use crate::wire::{OneTimeTokenResponse, SessionData, VerifyOneTimeTokenRequest};

    routes! {
        /// The one-time-token routes, in declaration order.
        pub const ROUTES;

        /// `GET /one-time-token/generate`: a single-use token for the caller's session.
        Generate: Get "/one-time-token/generate", () => OneTimeTokenResponse;
        /// `POST /one-time-token/verify`: the token's session and user (and, unless the
        /// server says otherwise, its session cookie).
        Verify: Post "/one-time-token/verify", VerifyOneTimeTokenRequest => SessionData;
    }
}

/// The electron plugin's routes (`@better-auth/electron`): a desktop app's sign-in through
/// the system browser (see [`crate::wire::electron`]).
pub mod electron {
    use crate::wire::{
        ElectronInitOAuthProxyQuery, ElectronTokenRequest, ElectronTokenResponse, ElectronTransferUserRequest,
        ElectronTransferUserResponse,
    };

    routes! {
        /// The electron routes, in declaration order.
        pub const ROUTES;

        /// `POST /electron/token`: trades a code and its PKCE verifier for a session.
        Token: Post "/electron/token", ElectronTokenRequest => ElectronTokenResponse;
        /// `GET /electron/init-oauth-proxy`: opened in the system browser, a redirect to
        /// the provider.
        InitOAuthProxy: Get "/electron/init-oauth-proxy", ElectronInitOAuthProxyQuery => ();
        /// `POST /electron/transfer-user?client_id=…&state=…&code_challenge=…`: a code for
        /// the signed-in user, for the app that started the flow.
        TransferUser: Post "/electron/transfer-user", ElectronTransferUserRequest => ElectronTransferUserResponse;
    }
}

/// The device-authorization plugin's routes (better-auth `deviceAuthorization`, RFC 8628;
/// see [`crate::wire::device_authorization`]).
pub mod device_authorization {
    use crate::wire::{
        DeviceCodeRequest, DeviceCodeResponse, DeviceDecisionRequest, DeviceDecisionResponse, DeviceTokenRequest,
        DeviceTokenResponse, DeviceVerifyQuery, DeviceVerifyResponse,
    };

    routes! {
        /// The device-authorization routes, in declaration order.
        pub const ROUTES;

        /// `POST /device/code`: a device code and a user code (a JSON body or, as RFC 8628
        /// sends it, a form).
        Code: Post "/device/code" as OAuthForm, DeviceCodeRequest => DeviceCodeResponse;
        /// `POST /device/token`: polls for the session; OAuth errors until the user
        /// approved.
        Token: Post "/device/token", DeviceTokenRequest => DeviceTokenResponse;
        /// `GET /device?user_code=…`: the code's status; a signed-in caller claims an
        /// unclaimed code.
        Verify: Get "/device", DeviceVerifyQuery => DeviceVerifyResponse;
        /// `POST /device/approve`: the user who claimed the code approves it.
        Approve: Post "/device/approve", DeviceDecisionRequest => DeviceDecisionResponse;
        /// `POST /device/deny`: the user who claimed the code denies it.
        Deny: Post "/device/deny", DeviceDecisionRequest => DeviceDecisionResponse;
    }
}

/// The magic-link plugin's routes (better-auth `magicLink`).
pub mod magic_link {
    use crate::wire::{MagicLinkVerifyQuery, MagicLinkVerifyResponse, SignInMagicLinkRequest, StatusResponse};

    routes! {
        /// The magic-link routes, in declaration order.
        pub const ROUTES;

        /// `POST /sign-in/magic-link`: emails a sign-in link to an address (JSON only,
        /// with better-auth's form CSRF rules).
        SignIn: Post "/sign-in/magic-link", SignInMagicLinkRequest => StatusResponse;
        /// `GET /magic-link/verify`: the link itself; signs its owner in (JSON without a
        /// `callbackURL`, else a redirect).
        Verify: Get "/magic-link/verify", MagicLinkVerifyQuery => MagicLinkVerifyResponse;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn all() -> impl Iterator<Item = &'static RouteSpec> {
        GROUPS.iter().flat_map(|group| group.iter())
    }

    #[test]
    fn no_two_routes_share_a_method_and_path() {
        let mut seen = BTreeSet::new();
        for route in all() {
            assert!(
                seen.insert((route.method.as_str(), route.path)),
                "{} {} is declared twice ({})",
                route.method.as_str(),
                route.path,
                route.name
            );
        }
    }

    #[test]
    fn paths_are_relative_to_the_base_path() {
        for route in all() {
            assert!(route.path.starts_with('/'), "{}: {}", route.name, route.path);
            assert!(
                route.path.len() == 1 || !route.path.ends_with('/'),
                "{}: {}",
                route.name,
                route.path
            );
            assert!(!route.path.contains(['?', '#', ' ']), "{}: {}", route.name, route.path);
        }
    }

    #[test]
    fn only_posts_take_forms() {
        for route in all() {
            if route.method == HttpMethod::Get {
                assert_eq!(route.body, BodyEncoding::Json, "{}", route.name);
            }
        }
    }

    #[test]
    fn path_parameters_are_filled() {
        assert_eq!(ResetPasswordCallback::path_with("a%2Fb"), "/reset-password/a%2Fb");
        assert_eq!(SocialCallback::path_with("github"), "/callback/github");
        assert_eq!(SignOut::path_with("x"), "/sign-out");
        assert_eq!(fill_path("/a/{id}/b", "7"), "/a/7/b");
        assert_eq!(fill_path("/a/{id", "7"), "/a/{id");
    }
}

/// The username plugin's routes (better-auth `username`).
pub mod username {
    use crate::wire::{IsUsernameAvailableRequest, SignInOutcome, SignInUsernameRequest, UsernameAvailability};

    routes! {
        /// The username routes, in declaration order.
        pub const ROUTES;

        /// `POST /sign-in/username`: a session (or a two-factor challenge) for a username
        /// and password, answered as `/sign-in/email` answers.
        SignInUsername: Post "/sign-in/username", SignInUsernameRequest => SignInOutcome;
        /// `POST /is-username-available`: whether no user has the (normalised) username.
        IsUsernameAvailable: Post "/is-username-available", IsUsernameAvailableRequest => UsernameAvailability;
    }
}

/// The email-OTP plugin's routes (better-auth `emailOTP`).
pub mod email_otp {
    use crate::wire::organization::SuccessResponse;
    use crate::wire::{
        ChangeEmailOtpRequest, CheckVerificationOtpRequest, EmailOtpPasswordResetRequest, RequestEmailChangeOtpRequest,
        ResetPasswordEmailOtpRequest, SendVerificationOtpRequest, SignInEmailOtpRequest, SignInEmailOtpResponse,
        VerifyEmailOtpRequest, VerifyEmailOtpResponse,
    };

    routes! {
        /// The email-OTP routes, in declaration order.
        pub const ROUTES;

        /// `POST /email-otp/send-verification-otp`: emails a code of a type (JSON only,
        /// with better-auth's form CSRF rules); `{"success": true}` whether or not the
        /// address has a user.
        SendVerificationOtp: Post "/email-otp/send-verification-otp", SendVerificationOtpRequest => SuccessResponse;
        /// `POST /email-otp/check-verification-otp`: whether a code is right, without
        /// using it up (a wrong one counts as an attempt).
        CheckVerificationOtp: Post "/email-otp/check-verification-otp", CheckVerificationOtpRequest => SuccessResponse;
        /// `POST /email-otp/verify-email`: marks the address verified with its code.
        VerifyEmail: Post "/email-otp/verify-email", VerifyEmailOtpRequest => VerifyEmailOtpResponse;
        /// `POST /sign-in/email-otp`: a session for the address's owner, created on
        /// first use unless the server forbids sign-ups.
        SignIn: Post "/sign-in/email-otp", SignInEmailOtpRequest => SignInEmailOtpResponse;
        /// `POST /email-otp/request-password-reset`: emails a `forget-password` code.
        RequestPasswordReset: Post "/email-otp/request-password-reset", EmailOtpPasswordResetRequest => SuccessResponse;
        /// `POST /forget-password/email-otp`: the deprecated name of
        /// `/email-otp/request-password-reset`.
        ForgetPassword: Post "/forget-password/email-otp", EmailOtpPasswordResetRequest => SuccessResponse;
        /// `POST /email-otp/reset-password`: sets a new password with a `forget-password`
        /// code.
        ResetPassword: Post "/email-otp/reset-password", ResetPasswordEmailOtpRequest => SuccessResponse;
        /// `POST /email-otp/request-email-change`: emails a `change-email` code to a new
        /// address (signed in; the server must enable it).
        RequestEmailChange: Post "/email-otp/request-email-change", RequestEmailChangeOtpRequest => SuccessResponse;
        /// `POST /email-otp/change-email`: changes the address with its code (signed in).
        ChangeEmail: Post "/email-otp/change-email", ChangeEmailOtpRequest => SuccessResponse;
    }
}

/// The phone-number plugin's routes (better-auth `phoneNumber`).
pub mod phone_number {
    use crate::wire::{
        PhoneNumberOtpSent, PhoneSignInOutcome, RequestPasswordResetPhoneNumberRequest,
        ResetPasswordPhoneNumberRequest, SendPhoneNumberOtpRequest, SignInPhoneNumberRequest, StatusResponse,
        VerifyPhoneNumberRequest, VerifyPhoneNumberResponse,
    };

    routes! {
        /// The phone-number routes, in declaration order.
        pub const ROUTES;

        /// `POST /sign-in/phone-number`: a session (or a two-factor challenge) for a phone
        /// number and password.
        SignInPhoneNumber: Post "/sign-in/phone-number", SignInPhoneNumberRequest => PhoneSignInOutcome;
        /// `POST /phone-number/send-otp`: texts a verification code to the number.
        SendOtp: Post "/phone-number/send-otp", SendPhoneNumberOtpRequest => PhoneNumberOtpSent;
        /// `POST /phone-number/verify`: checks a code, marks the number verified and signs
        /// in (or sets the number on the signed-in user).
        Verify: Post "/phone-number/verify", VerifyPhoneNumberRequest => VerifyPhoneNumberResponse;
        /// `POST /phone-number/request-password-reset`: texts a password-reset code.
        RequestPasswordReset: Post "/phone-number/request-password-reset", RequestPasswordResetPhoneNumberRequest => StatusResponse;
        /// `POST /phone-number/reset-password`: a new password with a texted code.
        ResetPassword: Post "/phone-number/reset-password", ResetPasswordPhoneNumberRequest => StatusResponse;
    }
}

/// The anonymous plugin's routes (better-auth `anonymous`).
pub mod anonymous {
    use crate::wire::{AnonymousSignInResponse, DeleteAnonymousUserResponse, EmptyRequest};

    routes! {
        /// The anonymous routes, in declaration order.
        pub const ROUTES;

        /// `POST /sign-in/anonymous`: a new anonymous user and their session (refused
        /// to a caller who is already anonymous).
        SignIn: Post "/sign-in/anonymous", EmptyRequest => AnonymousSignInResponse;
        /// `POST /delete-anonymous-user`: deletes the signed-in anonymous user, their
        /// sessions and their cookie.
        DeleteAnonymousUser: Post "/delete-anonymous-user", EmptyRequest => DeleteAnonymousUserResponse;
    }
}

/// The multi-session plugin's routes (better-auth `multiSession`).
pub mod multi_session {
    use crate::wire::{SessionData, SessionTokenRequest, StatusResponse};

    routes! {
        /// The multi-session routes, in declaration order.
        pub const ROUTES;

        /// `GET /multi-session/list-device-sessions`: the live sessions the browser's
        /// `_multi-` cookies hold, one per user.
        ListDeviceSessions: Get "/multi-session/list-device-sessions", () => Vec<SessionData>;
        /// `POST /multi-session/set-active`: makes one of them the session cookie.
        SetActive: Post "/multi-session/set-active", SessionTokenRequest => SessionData;
        /// `POST /multi-session/revoke`: ends one of them (the active one: the next one
        /// takes its place, or the caller is signed out).
        Revoke: Post "/multi-session/revoke", SessionTokenRequest => StatusResponse;
    }
}
