//! The multi-session plugin's options (better-auth `multiSession(options)`).

/// The multi-session plugin (better-auth `multiSession`): one browser keeps up to
/// [`MultiSessionConfig::maximum_sessions`] signed-in users and switches between them.
#[derive(Clone, Debug)]
pub struct MultiSessionConfig {
    /// How many sessions a browser keeps (`maximumSessions`, default 5). A sign-in beyond
    /// them still starts its session and makes it the active one, but gets no
    /// multi-session cookie, so it is not listed and cannot be switched back to.
    pub maximum_sessions: usize,
}

impl Default for MultiSessionConfig {
    fn default() -> Self {
        Self { maximum_sessions: 5 }
    }
}

impl MultiSessionConfig {
    /// Sets how many sessions a browser keeps.
    pub fn maximum_sessions(mut self, maximum: usize) -> Self {
        self.maximum_sessions = maximum;
        self
    }
}
