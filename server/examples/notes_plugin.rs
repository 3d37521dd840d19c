//! A plugin of one's own, both halves: a `note` table, three endpoints with their error
//! codes and a rate limit on the server (a [`Plugin`]), and on the client an extension
//! trait with typed methods and a reactive store of the user's notes.
//!
//! Run the server: `cargo run -p keyward-server --example notes_plugin`, then
//!
//! ```text
//! curl -s -X POST localhost:3000/api/auth/sign-up/email -H 'content-type: application/json' \
//!      -d '{"name":"Ada","email":"ada@example.com","password":"correct-horse"}' -D - | grep set-auth-token
//! curl -s -X POST localhost:3000/api/auth/notes/add -H "authorization: Bearer <token>" \
//!      -H 'content-type: application/json' -d '{"text":"buy milk"}'
//! curl -s localhost:3000/api/auth/notes/list -H "authorization: Bearer <token>"
//! ```
//!
//! In a real project the three modules are one crate with a `server` and a `client`
//! feature; the wire module is what both halves compile against.

/// The plugin's routes and wire types, shared by both halves: each route is declared once
/// (method, path, request and response), the server registers its handler on it and the
/// client sends through it, so changing one breaks the build of both.
pub mod wire {
    use keyward_client::wire::StatusResponse;
    use keyward_client::wire::routes::{HttpMethod, Route};
    use serde::{Deserialize, Serialize};

    /// `POST /notes/add`: add a note.
    pub struct AddNote;

    impl Route for AddNote {
        const METHOD: HttpMethod = HttpMethod::Post;
        const PATH: &'static str = "/notes/add";
        type Request = AddNoteRequest;
        type Response = Note;
    }

    /// `GET /notes/list`: the signed-in user's notes, newest first.
    pub struct ListNotes;

    impl Route for ListNotes {
        const METHOD: HttpMethod = HttpMethod::Get;
        const PATH: &'static str = "/notes/list";
        type Request = ();
        type Response = Vec<Note>;
    }

    /// `POST /notes/delete`: delete one of one's notes.
    pub struct DeleteNote;

    impl Route for DeleteNote {
        const METHOD: HttpMethod = HttpMethod::Post;
        const PATH: &'static str = "/notes/delete";
        type Request = DeleteNoteRequest;
        type Response = StatusResponse;
    }

    /// A note.
    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Note {
        /// Id.
        pub id: String,
        /// Its author.
        pub user_id: String,
        /// Text.
        pub text: String,
        /// When it was written.
        pub created_at: chrono::DateTime<chrono::Utc>,
    }

    /// Body of [`AddNote`].
    #[derive(Clone, Debug, Serialize, Deserialize)]
    pub struct AddNoteRequest {
        /// Text (at most the plugin's `max_length` characters).
        pub text: String,
    }

    /// Body of [`DeleteNote`].
    #[derive(Clone, Debug, Serialize, Deserialize)]
    pub struct DeleteNoteRequest {
        /// The note.
        pub id: String,
    }
}

/// The server half: the plugin.
pub mod server {
    use std::time::Duration;

    use axum::Json;
    use axum::extract::State;
    use axum::http::StatusCode;
    use keyward_server::config::RateLimitRule;
    use keyward_server::db::schema::{Column, Table};
    use keyward_server::db::{Exec, FieldType, Row, Tx};
    use keyward_server::hooks::UserHooks;
    use keyward_server::plugin::{Answer, Endpoints, JsonBody, Plugin, Setup};
    use keyward_server::wire::routes::Route;
    use keyward_server::wire::{ErrorCode, StatusResponse};
    use keyward_server::{ApiError, ApiResult, Auth, Session, args};

    use super::wire::{AddNote, AddNoteRequest, DeleteNote, DeleteNoteRequest, ListNotes, Note};

    /// Note too long.
    pub const NOTE_TOO_LONG: &str = "NOTE_TOO_LONG";
    /// The user has a note with this text already (the table's unique index).
    pub const NOTE_EXISTS: &str = "NOTE_EXISTS";
    /// No such note of the user's.
    pub const NOTE_NOT_FOUND: &str = "NOTE_NOT_FOUND";

    /// The plugin and its options.
    #[derive(Clone)]
    pub struct NotesPlugin {
        /// Characters per note.
        pub max_length: usize,
    }

    impl Default for NotesPlugin {
        fn default() -> Self {
            Self { max_length: 280 }
        }
    }

    impl Plugin for NotesPlugin {
        fn id(&self) -> &'static str {
            "notes"
        }

        fn setup(&self, setup: &mut Setup) {
            setup
                .table(
                    Table::new(
                        "note",
                        vec![
                            Column::new("userId", FieldType::String, true).references("user"),
                            Column::new("text", FieldType::String, true),
                            Column::new("createdAt", FieldType::Date, true),
                        ],
                    )
                    .index("userId")
                    .unique_index(&["userId", "text"]),
                )
                .error_codes(&[NOTE_TOO_LONG, NOTE_EXISTS, NOTE_NOT_FOUND])
                .rate_limit(
                    AddNote::PATH,
                    RateLimitRule {
                        window: Duration::from_secs(60),
                        max: 20,
                    },
                )
                .user_hooks(DeleteNotes);
        }

        fn endpoints(&self, endpoints: Endpoints) -> Endpoints {
            let max_length = self.max_length;
            endpoints
                .route(AddNote, move |state, session, body| {
                    add(state, session, body, max_length)
                })
                .route(ListNotes, list)
                .route(DeleteNote, delete)
        }
    }

    /// A deleted user's notes go with them, in the deleting transaction.
    struct DeleteNotes;

    #[async_trait::async_trait]
    impl UserHooks for DeleteNotes {
        async fn before_delete(&self, tx: &mut Tx, user_id: &str) -> ApiResult<()> {
            tx.execute(r#"delete from "note" where "userId" = $1"#, args![user_id])
                .await?;
            Ok(())
        }
    }

    fn note(row: &Row) -> Result<Note, sqlx::Error> {
        Ok(Note {
            id: row.text("id")?,
            user_id: row.text("userId")?,
            text: row.text("text")?,
            created_at: row.time("createdAt")?,
        })
    }

    async fn add(
        State(auth): State<Auth>,
        Session(data): Session,
        JsonBody(request): JsonBody<AddNoteRequest>,
        max_length: usize,
    ) -> Answer<AddNote> {
        if request.text.chars().count() > max_length {
            return Err(ApiError::with_message(
                StatusCode::BAD_REQUEST,
                ErrorCode::Other(NOTE_TOO_LONG.into()),
                format!("A note has at most {max_length} characters"),
            ));
        }
        let note = Note {
            id: keyward_server::crypto::generate_id(),
            user_id: data.user.id,
            text: request.text,
            created_at: chrono::Utc::now(),
        };
        let mut db = auth.db().clone();
        db.execute(
            r#"insert into "note" ("id", "userId", "text", "createdAt") values ($1, $2, $3, $4)"#,
            args![
                note.id.as_str(),
                note.user_id.as_str(),
                note.text.as_str(),
                note.created_at
            ],
        )
        .await
        .map_err(|error| {
            if keyward_server::db::is_unique_violation(&error) {
                ApiError::with_message(
                    StatusCode::CONFLICT,
                    ErrorCode::Other(NOTE_EXISTS.into()),
                    "You already have this note",
                )
            } else {
                error.into()
            }
        })?;
        Ok(Json(note))
    }

    async fn list(State(auth): State<Auth>, Session(data): Session) -> Answer<ListNotes> {
        let mut db = auth.db().clone();
        let rows = db
            .fetch_all(
                r#"select "id", "userId", "text", "createdAt" from "note" where "userId" = $1 order by "createdAt" desc"#,
                args![data.user.id.as_str()],
            )
            .await?;
        let notes = rows.iter().map(note).collect::<Result<_, _>>()?;
        Ok(Json(notes))
    }

    async fn delete(
        State(auth): State<Auth>,
        Session(data): Session,
        JsonBody(request): JsonBody<DeleteNoteRequest>,
    ) -> Answer<DeleteNote> {
        let mut db = auth.db().clone();
        let deleted = db
            .execute(
                r#"delete from "note" where "id" = $1 and "userId" = $2"#,
                args![request.id.as_str(), data.user.id.as_str()],
            )
            .await?;
        if deleted == 0 {
            return Err(ApiError::with_message(
                StatusCode::NOT_FOUND,
                ErrorCode::Other(NOTE_NOT_FOUND.into()),
                "No such note",
            ));
        }
        Ok(Json(StatusResponse { status: true }))
    }
}

/// The client half: typed methods and a store on `AuthClient`.
pub mod client {
    use keyward_client::transport::Method;
    use keyward_client::{AuthClient, AuthClientBuilder, QueryHandle, Result};

    use keyward_client::wire::routes::Route;

    use super::wire::{AddNote, AddNoteRequest, DeleteNote, DeleteNoteRequest, ListNotes, Note};

    /// The notes store refetches after every successful notes call (and, as every plugin
    /// store, after sign-in and sign-out).
    pub fn register(builder: AuthClientBuilder) -> AuthClientBuilder {
        builder.refresh_query_after(ListNotes::PATH, |method, path| {
            method == Method::Post && path.starts_with("/notes/")
        })
    }

    /// The notes endpoints on [`AuthClient`].
    pub trait NotesClient {
        /// `POST /notes/add`.
        fn add_note(&self, text: &str) -> impl std::future::Future<Output = Result<Note>>;
        /// `POST /notes/delete`.
        fn delete_note(&self, id: &str) -> impl std::future::Future<Output = Result<()>>;
        /// The signed-in user's notes, newest first, kept fresh.
        fn notes(&self) -> QueryHandle<Vec<Note>>;
    }

    impl NotesClient for AuthClient {
        async fn add_note(&self, text: &str) -> Result<Note> {
            self.send::<AddNote>(&AddNoteRequest { text: text.to_owned() }).await
        }

        async fn delete_note(&self, id: &str) -> Result<()> {
            self.send::<DeleteNote>(&DeleteNoteRequest { id: id.to_owned() })
                .await?;
            Ok(())
        }

        fn notes(&self) -> QueryHandle<Vec<Note>> {
            self.query(ListNotes::PATH)
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use keyward_server::{Auth, Config};
    tracing_subscriber::fmt().with_env_filter("info").init();
    let config = Config::builder().database_url("sqlite::memory:").build()?;
    let limits = config.connection_limits.clone();
    let auth = Auth::builder(config)
        .plugin(server::NotesPlugin::default())
        .build()
        .await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000/api/auth/notes/*");
    keyward_server::serve(listener, auth.router(), &limits, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
