//! Request values in the log: written with their control characters escaped, so a
//! newline in a callback URL cannot forge a log line and an ANSI escape cannot reach the
//! operator's terminal.

use std::fmt::{self, Display, Write};

/// Displays `T` with every control character (newlines, escapes, NUL …) written as its
/// Rust escape (`\n`, `\u{1b}`); everything else as it is, so URLs stay readable.
pub(crate) struct Escaped<T>(pub T);

impl<T: Display> Display for Escaped<T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(EscapingWriter(formatter), "{}", self.0)
    }
}

struct EscapingWriter<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl Write for EscapingWriter<'_, '_> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut rest = text;
        while let Some(index) = rest.find(char::is_control) {
            self.0.write_str(&rest[..index])?;
            let control = rest[index..].chars().next().unwrap_or_default();
            write!(self.0, "{}", control.escape_default())?;
            rest = &rest[index + control.len_utf8()..];
        }
        self.0.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::Escaped;

    #[test]
    fn control_characters_are_escaped() {
        let forged = "https://evil.com/\n2026-01-01T00:00:00Z  INFO admin signed in\u{1b}[31m\r\0";
        assert_eq!(
            Escaped(forged).to_string(),
            "https://evil.com/\\n2026-01-01T00:00:00Z  INFO admin signed in\\u{1b}[31m\\r\\u{0}"
        );
        assert_eq!(
            Escaped("https://app.example.com/é?x=1").to_string(),
            "https://app.example.com/é?x=1"
        );
    }
}
