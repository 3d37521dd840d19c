//! Error bodies and codes, exactly as better-auth sends them: `{"message": "...", "code": "..."}`.
//!
//! [`ErrorCode`] lists every code better-auth 1.7.25 core uses (its `BASE_ERROR_CODES` table
//! plus the ad-hoc codes of core routes); unknown codes are kept in [`ErrorCode::Other`].

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::object::deserialize_from_members;

/// The JSON body of an error response. `code` is absent on a few better-auth errors
/// (for example `{"message":"No fields to update"}`), and the whole body may be empty.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErrorBody {
    /// Human-readable message.
    pub message: String,
    /// Machine-readable code; compare this, not the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    /// Further fields some errors carry (`missingPermissions` of the organization
    /// plugin's role endpoints).
    #[serde(flatten, skip_serializing_if = "serde_json::Map::is_empty")]
    pub details: serde_json::Map<String, serde_json::Value>,
}

deserialize_from_members!(ErrorBody, |members| Self {
    message: members.take_or_default("message")?,
    code: members.take_or_default("code")?,
    details: members.rest(),
});

macro_rules! error_codes {
    ($($variant:ident = $code:literal => $message:literal,)*) => {
        /// A better-auth error code. `Display` and serde use the wire string (`"INVALID_TOKEN"`),
        /// and so does `Debug` (`ErrorCode("INVALID_TOKEN")`): the variant names would be
        /// a second copy of every code in a browser's download.
        #[derive(Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        // A tag byte of its own instead of a niche in `Other`'s `String`: the derived
        // `Clone` then copies the tag rather than branching 254 ways (measured: 1,234 B
        // gzipped off the minimal page).
        #[repr(u8)]
        pub enum ErrorCode {
            $(
                #[doc = $message]
                $variant,
            )*
            /// A code this version does not know (a newer server, or a custom plugin).
            Other(String),
        }

        impl ErrorCode {
            /// The wire string of the code.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }

            /// better-auth's default message for the code (empty for [`ErrorCode::Other`]).
            pub fn default_message(&self) -> &'static str {
                match self {
                    $(Self::$variant => $message,)*
                    Self::Other(_) => "",
                }
            }

            /// Parses a wire string; unknown strings become [`ErrorCode::Other`].
            pub fn parse(code: &str) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                }
            }

            /// Every known code, for documentation and exhaustive tests.
            pub const ALL: &'static [ErrorCode] = &[$(Self::$variant,)*];
        }

        impl std::fmt::Debug for ErrorCode {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_tuple("ErrorCode").field(&self.as_str()).finish()
            }
        }
    };
}

error_codes! {
    // better-auth core `BASE_ERROR_CODES`
    UserNotFound = "USER_NOT_FOUND" => "User not found",
    FailedToCreateUser = "FAILED_TO_CREATE_USER" => "Failed to create user",
    FailedToCreateSession = "FAILED_TO_CREATE_SESSION" => "Failed to create session",
    FailedToUpdateUser = "FAILED_TO_UPDATE_USER" => "Failed to update user",
    FailedToGetSession = "FAILED_TO_GET_SESSION" => "Failed to get session",
    InvalidPassword = "INVALID_PASSWORD" => "Invalid password",
    InvalidEmail = "INVALID_EMAIL" => "Invalid email",
    InvalidEmailOrPassword = "INVALID_EMAIL_OR_PASSWORD" => "Invalid email or password",
    InvalidUser = "INVALID_USER" => "Invalid user",
    SocialAccountAlreadyLinked = "SOCIAL_ACCOUNT_ALREADY_LINKED" => "Social account already linked",
    ProviderNotFound = "PROVIDER_NOT_FOUND" => "Provider not found",
    InvalidToken = "INVALID_TOKEN" => "Invalid token",
    TokenExpired = "TOKEN_EXPIRED" => "Token expired",
    IdTokenNotSupported = "ID_TOKEN_NOT_SUPPORTED" => "id_token not supported",
    FailedToGetUserInfo = "FAILED_TO_GET_USER_INFO" => "Failed to get user info",
    UserEmailNotFound = "USER_EMAIL_NOT_FOUND" => "User email not found",
    EmailNotVerified = "EMAIL_NOT_VERIFIED" => "Email not verified",
    PasswordTooShort = "PASSWORD_TOO_SHORT" => "Password too short",
    PasswordTooLong = "PASSWORD_TOO_LONG" => "Password too long",
    UserAlreadyExists = "USER_ALREADY_EXISTS" => "User already exists.",
    UserAlreadyExistsUseAnotherEmail = "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" => "User already exists. Use another email.",
    EmailCanNotBeUpdated = "EMAIL_CAN_NOT_BE_UPDATED" => "Email can not be updated",
    ChangeEmailDisabled = "CHANGE_EMAIL_DISABLED" => "Change email is disabled",
    CredentialAccountNotFound = "CREDENTIAL_ACCOUNT_NOT_FOUND" => "Credential account not found",
    SessionExpired = "SESSION_EXPIRED" => "Session expired. Re-authenticate to perform this action.",
    FailedToUnlinkLastAccount = "FAILED_TO_UNLINK_LAST_ACCOUNT" => "You can't unlink your last account",
    AccountNotFound = "ACCOUNT_NOT_FOUND" => "Account not found",
    UserAlreadyHasPassword = "USER_ALREADY_HAS_PASSWORD" => "User already has a password. Provide that to delete the account.",
    CrossSiteNavigationLoginBlocked = "CROSS_SITE_NAVIGATION_LOGIN_BLOCKED" => "Cross-site navigation login blocked. This request appears to be a CSRF attack.",
    VerificationEmailNotEnabled = "VERIFICATION_EMAIL_NOT_ENABLED" => "Verification email isn't enabled",
    EmailAlreadyVerified = "EMAIL_ALREADY_VERIFIED" => "Email is already verified",
    EmailMismatch = "EMAIL_MISMATCH" => "Email mismatch",
    SessionNotFresh = "SESSION_NOT_FRESH" => "Session is not fresh",
    LinkedAccountAlreadyExists = "LINKED_ACCOUNT_ALREADY_EXISTS" => "Linked account already exists",
    InvalidOrigin = "INVALID_ORIGIN" => "Invalid origin",
    InvalidCallbackUrl = "INVALID_CALLBACK_URL" => "Invalid callbackURL",
    InvalidRedirectUrl = "INVALID_REDIRECT_URL" => "Invalid redirectURL",
    InvalidErrorCallbackUrl = "INVALID_ERROR_CALLBACK_URL" => "Invalid errorCallbackURL",
    InvalidNewUserCallbackUrl = "INVALID_NEW_USER_CALLBACK_URL" => "Invalid newUserCallbackURL",
    MissingOrNullOrigin = "MISSING_OR_NULL_ORIGIN" => "Missing or null Origin",
    CallbackUrlRequired = "CALLBACK_URL_REQUIRED" => "callbackURL is required",
    FailedToCreateVerification = "FAILED_TO_CREATE_VERIFICATION" => "Unable to create verification",
    FieldNotAllowed = "FIELD_NOT_ALLOWED" => "Field not allowed to be set",
    AsyncValidationNotSupported = "ASYNC_VALIDATION_NOT_SUPPORTED" => "Async validation is not supported",
    ValidationError = "VALIDATION_ERROR" => "Validation Error",
    MissingField = "MISSING_FIELD" => "Field is required",
    MethodNotAllowedDeferSessionRequired = "METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED" => "POST method requires deferSessionRefresh to be enabled in session config",
    BodyMustBeAnObject = "BODY_MUST_BE_AN_OBJECT" => "Body must be an object",
    PasswordAlreadySet = "PASSWORD_ALREADY_SET" => "User already has a password set",
    // ad-hoc codes of better-auth core routes
    Unauthorized = "UNAUTHORIZED" => "Unauthorized",
    EmailPasswordDisabled = "EMAIL_PASSWORD_DISABLED" => "Email and password is not enabled",
    EmailPasswordSignUpDisabled = "EMAIL_PASSWORD_SIGN_UP_DISABLED" => "Email and password sign up is not enabled",
    ResetPasswordDisabled = "RESET_PASSWORD_DISABLED" => "Reset password isn't enabled",
    OauthLinkError = "OAUTH_LINK_ERROR" => "Failed to link account",
    LinkingNotAllowed = "LINKING_NOT_ALLOWED" => "Account linking is not allowed",
    LinkingDifferentEmailsNotAllowed = "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED" => "Account not linked - different emails not allowed",
    LinkingFailed = "LINKING_FAILED" => "Unable to link account",
    UserIdOrSessionRequired = "USER_ID_OR_SESSION_REQUIRED" => "Either userId or session is required",
    ProviderNotSupported = "PROVIDER_NOT_SUPPORTED" => "Provider is not supported",
    TokenRefreshNotSupported = "TOKEN_REFRESH_NOT_SUPPORTED" => "Token refresh is not supported",
    RefreshTokenNotFound = "REFRESH_TOKEN_NOT_FOUND" => "Refresh token not found",
    FailedToGetAccessToken = "FAILED_TO_GET_ACCESS_TOKEN" => "Failed to get a valid access token",
    FailedToRefreshAccessToken = "FAILED_TO_REFRESH_ACCESS_TOKEN" => "Failed to refresh access token",
    ProviderNotConfigured = "PROVIDER_NOT_CONFIGURED" => "Account is not associated with a configured social provider.",
    AccessTokenNotFound = "ACCESS_TOKEN_NOT_FOUND" => "Access token not found",
    ProviderUnavailable = "PROVIDER_UNAVAILABLE" => "The provider could not be reached",
    InternalServerError = "INTERNAL_SERVER_ERROR" => "Internal Server Error",
    NotFound = "NOT_FOUND" => "Not found",
    UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE" => "Unsupported media type",
    BadRequest = "BAD_REQUEST" => "Invalid JSON in request body",
    // two-factor plugin (`TWO_FACTOR_ERROR_CODES`)
    OtpNotEnabled = "OTP_NOT_ENABLED" => "OTP not enabled",
    OtpNotConfigured = "OTP_NOT_CONFIGURED" => "OTP is not available",
    OtpHasExpired = "OTP_HAS_EXPIRED" => "OTP has expired",
    TotpNotEnabled = "TOTP_NOT_ENABLED" => "TOTP not enabled",
    TotpAlreadyEnabled = "TOTP_ALREADY_ENABLED" => "TOTP is already enabled",
    TotpNotConfigured = "TOTP_NOT_CONFIGURED" => "TOTP is not available",
    TwoFactorNotEnabled = "TWO_FACTOR_NOT_ENABLED" => "Two factor isn't enabled",
    BackupCodesNotEnabled = "BACKUP_CODES_NOT_ENABLED" => "Backup codes aren't enabled",
    InvalidBackupCode = "INVALID_BACKUP_CODE" => "Invalid backup code",
    InvalidCode = "INVALID_CODE" => "Invalid code",
    TooManyAttemptsRequestNewCode = "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE" => "Too many attempts. Please request a new code.",
    AccountTemporarilyLocked = "ACCOUNT_TEMPORARILY_LOCKED" => "Too many failed verification attempts. Your account is temporarily locked. Please try again later.",
    InvalidTwoFactorCookie = "INVALID_TWO_FACTOR_COOKIE" => "Invalid two factor cookie",
    // organization plugin (`ORGANIZATION_ERROR_CODES`)
    YouAreNotAllowedToCreateANewOrganization = "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_ORGANIZATION" => "You are not allowed to create a new organization",
    YouHaveReachedTheMaximumNumberOfOrganizations = "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_ORGANIZATIONS" => "You have reached the maximum number of organizations",
    OrganizationAlreadyExists = "ORGANIZATION_ALREADY_EXISTS" => "Organization already exists",
    OrganizationSlugAlreadyTaken = "ORGANIZATION_SLUG_ALREADY_TAKEN" => "Organization slug already taken",
    OrganizationNotFound = "ORGANIZATION_NOT_FOUND" => "Organization not found",
    UserIsNotAMemberOfTheOrganization = "USER_IS_NOT_A_MEMBER_OF_THE_ORGANIZATION" => "User is not a member of the organization",
    YouAreNotAllowedToUpdateThisOrganization = "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_ORGANIZATION" => "You are not allowed to update this organization",
    YouAreNotAllowedToDeleteThisOrganization = "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_ORGANIZATION" => "You are not allowed to delete this organization",
    NoActiveOrganization = "NO_ACTIVE_ORGANIZATION" => "No active organization",
    UserIsAlreadyAMemberOfThisOrganization = "USER_IS_ALREADY_A_MEMBER_OF_THIS_ORGANIZATION" => "User is already a member of this organization",
    MemberNotFound = "MEMBER_NOT_FOUND" => "Member not found",
    RoleNotFound = "ROLE_NOT_FOUND" => "Role not found",
    YouAreNotAllowedToCreateANewTeam = "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_TEAM" => "You are not allowed to create a new team",
    TeamAlreadyExists = "TEAM_ALREADY_EXISTS" => "Team already exists",
    TeamNotFound = "TEAM_NOT_FOUND" => "Team not found",
    YouCannotLeaveTheOrganizationAsTheOnlyOwner = "YOU_CANNOT_LEAVE_THE_ORGANIZATION_AS_THE_ONLY_OWNER" => "You cannot leave the organization as the only owner",
    YouCannotLeaveTheOrganizationWithoutAnOwner = "YOU_CANNOT_LEAVE_THE_ORGANIZATION_WITHOUT_AN_OWNER" => "You cannot leave the organization without an owner",
    YouAreNotAllowedToDeleteThisMember = "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_MEMBER" => "You are not allowed to delete this member",
    YouAreNotAllowedToInviteUsersToThisOrganization = "YOU_ARE_NOT_ALLOWED_TO_INVITE_USERS_TO_THIS_ORGANIZATION" => "You are not allowed to invite users to this organization",
    UserIsAlreadyInvitedToThisOrganization = "USER_IS_ALREADY_INVITED_TO_THIS_ORGANIZATION" => "User is already invited to this organization",
    InvitationNotFound = "INVITATION_NOT_FOUND" => "Invitation not found",
    YouAreNotTheRecipientOfTheInvitation = "YOU_ARE_NOT_THE_RECIPIENT_OF_THE_INVITATION" => "You are not the recipient of the invitation",
    EmailVerificationRequiredBeforeAcceptingOrRejectingInvitation = "EMAIL_VERIFICATION_REQUIRED_BEFORE_ACCEPTING_OR_REJECTING_INVITATION" => "Email verification required before accepting or rejecting invitation",
    EmailVerificationRequiredForInvitation = "EMAIL_VERIFICATION_REQUIRED_FOR_INVITATION" => "Email verification required to view or list invitations for the session email",
    YouAreNotAllowedToCancelThisInvitation = "YOU_ARE_NOT_ALLOWED_TO_CANCEL_THIS_INVITATION" => "You are not allowed to cancel this invitation",
    YouAreNotAllowedToListInvitations = "YOU_ARE_NOT_ALLOWED_TO_LIST_INVITATIONS" => "You are not allowed to list invitations for this organization",
    InviterIsNoLongerAMemberOfTheOrganization = "INVITER_IS_NO_LONGER_A_MEMBER_OF_THE_ORGANIZATION" => "Inviter is no longer a member of the organization",
    YouAreNotAllowedToInviteUserWithThisRole = "YOU_ARE_NOT_ALLOWED_TO_INVITE_USER_WITH_THIS_ROLE" => "You are not allowed to invite a user with this role",
    FailedToRetrieveInvitation = "FAILED_TO_RETRIEVE_INVITATION" => "Failed to retrieve invitation",
    YouHaveReachedTheMaximumNumberOfTeams = "YOU_HAVE_REACHED_THE_MAXIMUM_NUMBER_OF_TEAMS" => "You have reached the maximum number of teams",
    UnableToRemoveLastTeam = "UNABLE_TO_REMOVE_LAST_TEAM" => "Unable to remove last team",
    YouAreNotAllowedToUpdateThisMember = "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_MEMBER" => "You are not allowed to update this member",
    OrganizationMembershipLimitReached = "ORGANIZATION_MEMBERSHIP_LIMIT_REACHED" => "Organization membership limit reached",
    YouAreNotAllowedToCreateTeamsInThisOrganization = "YOU_ARE_NOT_ALLOWED_TO_CREATE_TEAMS_IN_THIS_ORGANIZATION" => "You are not allowed to create teams in this organization",
    YouAreNotAllowedToDeleteTeamsInThisOrganization = "YOU_ARE_NOT_ALLOWED_TO_DELETE_TEAMS_IN_THIS_ORGANIZATION" => "You are not allowed to delete teams in this organization",
    YouAreNotAllowedToUpdateThisTeam = "YOU_ARE_NOT_ALLOWED_TO_UPDATE_THIS_TEAM" => "You are not allowed to update this team",
    YouAreNotAllowedToDeleteThisTeam = "YOU_ARE_NOT_ALLOWED_TO_DELETE_THIS_TEAM" => "You are not allowed to delete this team",
    InvitationLimitReached = "INVITATION_LIMIT_REACHED" => "Invitation limit reached",
    TeamMemberLimitReached = "TEAM_MEMBER_LIMIT_REACHED" => "Team member limit reached",
    UserIsNotAMemberOfTheTeam = "USER_IS_NOT_A_MEMBER_OF_THE_TEAM" => "User is not a member of the team",
    YouCanNotAccessTheMembersOfThisTeam = "YOU_CAN_NOT_ACCESS_THE_MEMBERS_OF_THIS_TEAM" => "You are not allowed to list the members of this team",
    YouDoNotHaveAnActiveTeam = "YOU_DO_NOT_HAVE_AN_ACTIVE_TEAM" => "You do not have an active team",
    YouAreNotAllowedToCreateANewTeamMember = "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_NEW_TEAM_MEMBER" => "You are not allowed to create a new member",
    YouAreNotAllowedToRemoveATeamMember = "YOU_ARE_NOT_ALLOWED_TO_REMOVE_A_TEAM_MEMBER" => "You are not allowed to remove a team member",
    YouAreNotAllowedToAccessThisOrganization = "YOU_ARE_NOT_ALLOWED_TO_ACCESS_THIS_ORGANIZATION" => "You are not allowed to access this organization as an owner",
    YouAreNotAMemberOfThisOrganization = "YOU_ARE_NOT_A_MEMBER_OF_THIS_ORGANIZATION" => "You are not a member of this organization",
    MissingAcInstance = "MISSING_AC_INSTANCE" => "Dynamic Access Control requires a pre-defined ac instance on the server auth plugin. Read server logs for more information",
    YouMustBeInAnOrganizationToCreateARole = "YOU_MUST_BE_IN_AN_ORGANIZATION_TO_CREATE_A_ROLE" => "You must be in an organization to create a role",
    YouAreNotAllowedToCreateARole = "YOU_ARE_NOT_ALLOWED_TO_CREATE_A_ROLE" => "You are not allowed to create a role",
    YouAreNotAllowedToUpdateARole = "YOU_ARE_NOT_ALLOWED_TO_UPDATE_A_ROLE" => "You are not allowed to update a role",
    YouAreNotAllowedToDeleteARole = "YOU_ARE_NOT_ALLOWED_TO_DELETE_A_ROLE" => "You are not allowed to delete a role",
    YouAreNotAllowedToReadARole = "YOU_ARE_NOT_ALLOWED_TO_READ_A_ROLE" => "You are not allowed to read a role",
    YouAreNotAllowedToListARole = "YOU_ARE_NOT_ALLOWED_TO_LIST_A_ROLE" => "You are not allowed to list a role",
    YouAreNotAllowedToGetARole = "YOU_ARE_NOT_ALLOWED_TO_GET_A_ROLE" => "You are not allowed to get a role",
    TooManyRoles = "TOO_MANY_ROLES" => "This organization has too many roles",
    InvalidResource = "INVALID_RESOURCE" => "The provided permission includes an invalid resource",
    RoleNameIsAlreadyTaken = "ROLE_NAME_IS_ALREADY_TAKEN" => "That role name is already taken",
    CannotDeleteAPreDefinedRole = "CANNOT_DELETE_A_PRE_DEFINED_ROLE" => "Cannot delete a pre-defined role",
    RoleIsAssignedToMembers = "ROLE_IS_ASSIGNED_TO_MEMBERS" => "Cannot delete a role that is assigned to members. Please reassign the members to a different role first",
    InvalidTeamId = "INVALID_TEAM_ID" => "Team id contains a reserved character",
    OrganizationDeletionDisabled = "ORGANIZATION_DELETION_DISABLED" => "Organization deletion is disabled",
    // passkey plugin (`PASSKEY_ERROR_CODES`); the last four are set by clients, not servers
    ChallengeNotFound = "CHALLENGE_NOT_FOUND" => "Challenge not found",
    YouAreNotAllowedToRegisterThisPasskey = "YOU_ARE_NOT_ALLOWED_TO_REGISTER_THIS_PASSKEY" => "You are not allowed to register this passkey",
    FailedToVerifyRegistration = "FAILED_TO_VERIFY_REGISTRATION" => "Failed to verify registration",
    PasskeyNotFound = "PASSKEY_NOT_FOUND" => "Passkey not found",
    AuthenticationFailed = "AUTHENTICATION_FAILED" => "Authentication failed",
    UnableToCreateSession = "UNABLE_TO_CREATE_SESSION" => "Unable to create session",
    FailedToUpdatePasskey = "FAILED_TO_UPDATE_PASSKEY" => "Failed to update passkey",
    SessionRequired = "SESSION_REQUIRED" => "Passkey registration requires an authenticated session",
    ResolveUserRequired = "RESOLVE_USER_REQUIRED" => "Passkey registration requires either an authenticated session or a resolveUser callback when requireSession is false",
    ResolvedUserInvalid = "RESOLVED_USER_INVALID" => "Resolved user is invalid",
    PreviouslyRegistered = "PREVIOUSLY_REGISTERED" => "Previously registered",
    RegistrationCancelled = "REGISTRATION_CANCELLED" => "Registration cancelled",
    AuthCancelled = "AUTH_CANCELLED" => "Auth cancelled",
    UnknownError = "UNKNOWN_ERROR" => "Unknown error",
    // admin plugin (`ADMIN_ERROR_CODES`; USER_ALREADY_EXISTS* and USER_NOT_FOUND are above)
    YouCannotBanYourself = "YOU_CANNOT_BAN_YOURSELF" => "You cannot ban yourself",
    YouAreNotAllowedToChangeUsersRole = "YOU_ARE_NOT_ALLOWED_TO_CHANGE_USERS_ROLE" => "You are not allowed to change users role",
    YouAreNotAllowedToCreateUsers = "YOU_ARE_NOT_ALLOWED_TO_CREATE_USERS" => "You are not allowed to create users",
    YouAreNotAllowedToListUsers = "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS" => "You are not allowed to list users",
    YouAreNotAllowedToListUsersSessions = "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS_SESSIONS" => "You are not allowed to list users sessions",
    YouAreNotAllowedToBanUsers = "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS" => "You are not allowed to ban users",
    YouAreNotAllowedToImpersonateUsers = "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS" => "You are not allowed to impersonate users",
    YouAreNotAllowedToRevokeUsersSessions = "YOU_ARE_NOT_ALLOWED_TO_REVOKE_USERS_SESSIONS" => "You are not allowed to revoke users sessions",
    YouAreNotAllowedToDeleteUsers = "YOU_ARE_NOT_ALLOWED_TO_DELETE_USERS" => "You are not allowed to delete users",
    YouAreNotAllowedToSetUsersPassword = "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PASSWORD" => "You are not allowed to set users password",
    BannedUser = "BANNED_USER" => "You have been banned from this application",
    YouAreNotAllowedToGetUser = "YOU_ARE_NOT_ALLOWED_TO_GET_USER" => "You are not allowed to get user",
    NoDataToUpdate = "NO_DATA_TO_UPDATE" => "No data to update",
    YouAreNotAllowedToUpdateUsers = "YOU_ARE_NOT_ALLOWED_TO_UPDATE_USERS" => "You are not allowed to update users",
    YouCannotRemoveYourself = "YOU_CANNOT_REMOVE_YOURSELF" => "You cannot remove yourself",
    YouAreNotAllowedToSetNonExistentValue = "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE" => "You are not allowed to set a non-existent role value",
    YouCannotImpersonateAdmins = "YOU_CANNOT_IMPERSONATE_ADMINS" => "You cannot impersonate admins",
    InvalidRoleType = "INVALID_ROLE_TYPE" => "Invalid role type",
    YouAreNotAllowedToSetUsersEmail = "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_EMAIL" => "You are not allowed to update users email",
    YouAreNotAllowedToSetUsersPhoneNumber = "YOU_ARE_NOT_ALLOWED_TO_SET_USERS_PHONE_NUMBER" => "You are not allowed to update users phone number",
    PasswordCannotBeUpdatedViaUpdateUser = "PASSWORD_CANNOT_BE_UPDATED_VIA_UPDATE_USER" => "Password cannot be updated through update-user. Use the set-user-password endpoint instead",
    UserIdCannotBeUpdated = "USER_ID_CANNOT_BE_UPDATED" => "User id cannot be updated",
    // electron plugin (`ELECTRON_ERROR_CODES` of `@better-auth/electron`; its INVALID_TOKEN
    // is the core code above, with the message "Invalid or expired token.")
    InvalidClientId = "INVALID_CLIENT_ID" => "Invalid client ID",
    StateMismatch = "STATE_MISMATCH" => "state mismatch",
    MissingCodeChallenge = "MISSING_CODE_CHALLENGE" => "missing code challenge",
    InvalidCodeVerifier = "INVALID_CODE_VERIFIER" => "Invalid code verifier",
    MissingState = "MISSING_STATE" => "state is required",
    MissingPkce = "MISSING_PKCE" => "pkce is required",
    // username plugin (`USERNAME_ERROR_CODES`; its EMAIL_NOT_VERIFIED is the core code)
    InvalidUsernameOrPassword = "INVALID_USERNAME_OR_PASSWORD" => "Invalid username or password",
    UnexpectedError = "UNEXPECTED_ERROR" => "Unexpected error",
    UsernameIsAlreadyTaken = "USERNAME_IS_ALREADY_TAKEN" => "Username is already taken. Please try another.",
    UsernameTooShort = "USERNAME_TOO_SHORT" => "Username is too short",
    UsernameTooLong = "USERNAME_TOO_LONG" => "Username is too long",
    InvalidUsername = "INVALID_USERNAME" => "Username is invalid",
    InvalidDisplayUsername = "INVALID_DISPLAY_USERNAME" => "Display username is invalid",
    UsernameIsImmutable = "USERNAME_IS_IMMUTABLE" => "Username cannot be updated",
    // email-OTP plugin (`EMAIL_OTP_ERROR_CODES`)
    OtpExpired = "OTP_EXPIRED" => "OTP expired",
    InvalidOtp = "INVALID_OTP" => "Invalid OTP",
    // phone-number plugin (`PHONE_NUMBER_ERROR_CODES`; UNEXPECTED_ERROR, OTP_EXPIRED and INVALID_OTP are above)
    InvalidPhoneNumber = "INVALID_PHONE_NUMBER" => "Invalid phone number",
    PhoneNumberExist = "PHONE_NUMBER_EXIST" => "Phone number already exists",
    PhoneNumberNotExist = "PHONE_NUMBER_NOT_EXIST" => "phone number isn't registered",
    InvalidPhoneNumberOrPassword = "INVALID_PHONE_NUMBER_OR_PASSWORD" => "Invalid phone number or password",
    OtpNotFound = "OTP_NOT_FOUND" => "OTP not found",
    PhoneNumberNotVerified = "PHONE_NUMBER_NOT_VERIFIED" => "Phone number not verified",
    PhoneNumberPendingVerification = "PHONE_NUMBER_PENDING_VERIFICATION" => "Phone number requires account ownership proof",
    PhoneNumberCannotBeUpdated = "PHONE_NUMBER_CANNOT_BE_UPDATED" => "Phone number cannot be updated",
    PhoneNumberCannotBeSet = "PHONE_NUMBER_CANNOT_BE_SET" => "Phone number can only be set by verifying it",
    SendOtpNotImplemented = "SEND_OTP_NOT_IMPLEMENTED" => "sendOTP not implemented",
    TooManyAttempts = "TOO_MANY_ATTEMPTS" => "Too many attempts",
    // anonymous plugin (`ANONYMOUS_ERROR_CODES`; its FAILED_TO_CREATE_USER is the core code)
    InvalidEmailFormat = "INVALID_EMAIL_FORMAT" => "Email was not generated in a valid format",
    CouldNotCreateSession = "COULD_NOT_CREATE_SESSION" => "Could not create session",
    AnonymousUsersCannotSignInAgainAnonymously = "ANONYMOUS_USERS_CANNOT_SIGN_IN_AGAIN_ANONYMOUSLY" => "Anonymous users cannot sign in again anonymously",
    FailedToDeleteAnonymousUser = "FAILED_TO_DELETE_ANONYMOUS_USER" => "Failed to delete anonymous user",
    FailedToDeleteAnonymousUserSessions = "FAILED_TO_DELETE_ANONYMOUS_USER_SESSIONS" => "Failed to delete anonymous user sessions",
    UserIsNotAnonymous = "USER_IS_NOT_ANONYMOUS" => "User is not anonymous",
    DeleteAnonymousUserDisabled = "DELETE_ANONYMOUS_USER_DISABLED" => "Deleting anonymous users is disabled",
    // multi-session plugin (`MULTI_SESSION_ERROR_CODES`)
    InvalidSessionToken = "INVALID_SESSION_TOKEN" => "Invalid session token",
    // api-key plugin (`API_KEY_ERROR_CODES` of @better-auth/api-key 1.7.5, and its RATE_LIMITED)
    InvalidMetadataType = "INVALID_METADATA_TYPE" => "metadata must be an object or undefined",
    RefillAmountAndIntervalRequired = "REFILL_AMOUNT_AND_INTERVAL_REQUIRED" => "refillAmount is required when refillInterval is provided",
    RefillIntervalAndAmountRequired = "REFILL_INTERVAL_AND_AMOUNT_REQUIRED" => "refillInterval is required when refillAmount is provided",
    UserBanned = "USER_BANNED" => "User is banned",
    UnauthorizedSession = "UNAUTHORIZED_SESSION" => "Unauthorized or invalid session",
    KeyNotFound = "KEY_NOT_FOUND" => "API Key not found",
    KeyDisabled = "KEY_DISABLED" => "API Key is disabled",
    KeyExpired = "KEY_EXPIRED" => "API Key has expired",
    UsageExceeded = "USAGE_EXCEEDED" => "API Key has reached its usage limit",
    KeyNotRecoverable = "KEY_NOT_RECOVERABLE" => "API Key is not recoverable",
    ExpiresInIsTooSmall = "EXPIRES_IN_IS_TOO_SMALL" => "The expiresIn is smaller than the predefined minimum value.",
    ExpiresInIsTooLarge = "EXPIRES_IN_IS_TOO_LARGE" => "The expiresIn is larger than the predefined maximum value.",
    InvalidRemaining = "INVALID_REMAINING" => "The remaining count is either too large or too small.",
    InvalidPrefixLength = "INVALID_PREFIX_LENGTH" => "The prefix length is either too large or too small.",
    InvalidNameLength = "INVALID_NAME_LENGTH" => "The name length is either too large or too small.",
    MetadataDisabled = "METADATA_DISABLED" => "Metadata is disabled.",
    RateLimitExceeded = "RATE_LIMIT_EXCEEDED" => "Rate limit exceeded.",
    RateLimited = "RATE_LIMITED" => "Rate limit exceeded.",
    NoValuesToUpdate = "NO_VALUES_TO_UPDATE" => "No values to update.",
    KeyDisabledExpiration = "KEY_DISABLED_EXPIRATION" => "Custom key expiration values are disabled.",
    InvalidApiKey = "INVALID_API_KEY" => "Invalid API key.",
    InvalidUserIdFromApiKey = "INVALID_USER_ID_FROM_API_KEY" => "The user id from the API key is invalid.",
    InvalidReferenceIdFromApiKey = "INVALID_REFERENCE_ID_FROM_API_KEY" => "The reference id from the API key is invalid.",
    InvalidApiKeyGetterReturnType = "INVALID_API_KEY_GETTER_RETURN_TYPE" => "API Key getter returned an invalid key type. Expected string.",
    ServerOnlyProperty = "SERVER_ONLY_PROPERTY" => "The property you're trying to set can only be set from the server auth instance only.",
    FailedToUpdateApiKey = "FAILED_TO_UPDATE_API_KEY" => "Failed to update API key",
    NameRequired = "NAME_REQUIRED" => "API Key name is required.",
    OrganizationIdRequired = "ORGANIZATION_ID_REQUIRED" => "Organization ID is required for organization-owned API keys.",
    UserNotMemberOfOrganization = "USER_NOT_MEMBER_OF_ORGANIZATION" => "You are not a member of the organization that owns this API key.",
    InsufficientApiKeyPermissions = "INSUFFICIENT_API_KEY_PERMISSIONS" => "You do not have permission to perform this action on organization API keys.",
    NoDefaultApiKeyConfigurationFound = "NO_DEFAULT_API_KEY_CONFIGURATION_FOUND" => "No default api-key configuration found.",
    OrganizationPluginRequired = "ORGANIZATION_PLUGIN_REQUIRED" => "Organization plugin is required for organization-owned API keys. Please install and configure the organization plugin.",
    // Keyward's own, where better-auth has no equivalent
    InvalidRedirectUri = "INVALID_REDIRECT_URI" => "Invalid redirect_uri: a loopback http://127.0.0.1 or http://[::1] address, or a deep link of an allowed scheme",
    PayloadTooLarge = "PAYLOAD_TOO_LARGE" => "Request body is too large",
    RequestTimeout = "REQUEST_TIMEOUT" => "The request body did not arrive in time",
    SecondaryStorageUnavailable = "SECONDARY_STORAGE_UNAVAILABLE" => "Secondary storage is unavailable; try again",
    DatabaseUnavailable = "DATABASE_UNAVAILABLE" => "The database is unavailable; try again",
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Ok(Self::parse(&raw))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_through_their_wire_string() {
        for code in ErrorCode::ALL {
            assert_eq!(&ErrorCode::parse(code.as_str()), code);
            assert!(!code.default_message().is_empty());
        }
        assert_eq!(
            ErrorCode::parse("SOMETHING_NEW"),
            ErrorCode::Other("SOMETHING_NEW".into())
        );
    }

    #[test]
    fn error_body_accepts_missing_code_and_message() {
        let body: ErrorBody = serde_json::from_str(r#"{"message":"No fields to update"}"#).expect("parses");
        assert_eq!(body.code, None);
        let body: ErrorBody = serde_json::from_str("{}").expect("parses");
        assert_eq!(body.message, "");
        let body: ErrorBody =
            serde_json::from_str(r#"{"message":"Invalid token","code":"INVALID_TOKEN"}"#).expect("parses");
        assert_eq!(body.code, Some(ErrorCode::InvalidToken));
        assert_eq!(
            serde_json::to_string(&body).expect("serializes"),
            r#"{"message":"Invalid token","code":"INVALID_TOKEN"}"#
        );
    }
}
